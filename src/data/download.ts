/**
 * Puts a public dataset's raw files into a folder when they are missing: from a verified local cache
 * if it has them, else downloaded (mirrors in order, MD5 checked while streaming). Without network,
 * the error says which files to put where, so an air-gapped machine can be supplied by hand.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { processSettings } from '../config';
import { NETWORK_ERROR_CODES } from '../network-errors';
import { DataError } from './errors';
import type { DatasetManifest, ManifestFile } from './datasets';

export { CIFAR10_MANIFEST, MNIST_MANIFEST } from './datasets';
export type { DatasetManifest, ManifestFile } from './datasets';

export type Fetch = (url: string) => Promise<NodeJS.ReadableStream | Buffer>;

export interface EnsureOptions {
  /** Verified downloads are kept under `<cacheDir>/<manifest name>/`. */
  cacheDir: string;
  /** Defaults to `httpFetch` (Node's http/https). */
  fetch?: Fetch;
  /** Use only what is present or cached; also set by env DML_OFFLINE=1. */
  offline?: boolean;
  /** Longest wait for a response or for the next bytes of one (not for the whole file: CIFAR is 170 MB). */
  timeoutMs?: number;
  log?: (msg: string) => void;
}

/** Names of the files in the target folder, by where they came from. */
export interface EnsureResult {
  downloaded: string[];
  fromCache: string[];
  present: string[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;

/** Thrown inside when every mirror of a file was unreachable; turned into the "put the files here" error. */
class Unreachable extends Error {}

export async function ensureDataset(manifest: DatasetManifest, targetDir: string, opts: EnsureOptions): Promise<EnsureResult> {
  checkManifest(manifest);
  const result: EnsureResult = { downloaded: [], fromCache: [], present: [] };
  const missing: string[] = [];
  for (const name of targetNames(manifest)) (await isPresent(targetDir, name) ? result.present : missing).push(name);
  if (missing.length === 0) return result;

  const log = opts.log ?? (() => undefined);
  const offline = opts.offline ?? processSettings.offline();
  const cache = path.join(opts.cacheDir, manifest.name);
  await fs.mkdir(cache, { recursive: true });
  await fs.mkdir(targetDir, { recursive: true });

  // With an archive every target comes out of it; otherwise each missing target is one manifest file.
  const needed = manifest.archive ? manifest.files : manifest.files.filter((f) => missing.includes(f.name));
  const toDownload: ManifestFile[] = [];
  for (const f of needed) if (!(await cachedCopyOk(cache, f, log))) toDownload.push(f);

  // The cache is consulted before the offline check: an air-gapped machine can be supplied through it.
  const stillMissing = new Set(missing);
  const fail = (why: string) => missingFilesError(manifest, targetDir, cache, [...stillMissing], why);
  if (!manifest.archive) {
    for (const f of needed.filter((f) => !toDownload.includes(f))) {
      await placeCopy(path.join(cache, f.name), path.join(targetDir, f.name));
      result.fromCache.push(f.name);
      stillMissing.delete(f.name);
    }
  }
  if (toDownload.length > 0 && offline) throw fail('offline (offline option or DML_OFFLINE=1), and not in the cache');

  const fetch = opts.fetch ?? httpFetch(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (const f of toDownload) {
    try {
      await download(f, cache, fetch, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, log);
    } catch (e) {
      if (e instanceof Unreachable) throw fail(e.message);
      throw e;
    }
    if (!manifest.archive) {
      await placeCopy(path.join(cache, f.name), path.join(targetDir, f.name));
      result.downloaded.push(f.name);
      stillMissing.delete(f.name);
    }
  }

  if (manifest.archive) {
    const [archive] = manifest.files;
    log(`${manifest.name}: extracting ${missing.length} files from ${archive.name} into ${targetDir}`);
    await extractMembers(path.join(cache, archive.name), manifest.archive, targetDir, missing);
    (toDownload.length > 0 ? result.downloaded : result.fromCache).push(...missing);
  }
  return result;
}

/** Default fetch: GET with Node's http/https, following up to 5 redirects; non-2xx is an error naming the status. */
export function httpFetch(timeoutMs = DEFAULT_TIMEOUT_MS): Fetch {
  const get = (url: string, redirectsLeft: number): Promise<NodeJS.ReadableStream> =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const client = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
      if (!client) return reject(new Error(`unsupported URL scheme ${u.protocol}`));
      const req = client.get(u, { headers: { 'user-agent': 'durable-ml' } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          if (redirectsLeft === 0) return reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return resolve(get(new URL(res.headers.location, u).toString(), redirectsLeft - 1));
        }
        if (status < 200 || status >= 300) {
          res.resume();
          return reject(Object.assign(new Error(`HTTP ${status}`), { status }));
        }
        resolve(res);
      });
      // Socket inactivity, so a stalled connection does not hold the activity forever.
      req.setTimeout(timeoutMs, () => req.destroy(timeoutError(timeoutMs)));
      req.on('error', reject);
    });
  return (url) => get(url, MAX_REDIRECTS);
}

/** Tries each mirror in turn; a verified copy ends up at `<cache>/<name>`, nothing else is left behind. */
async function download(f: ManifestFile, cache: string, fetch: Fetch, timeoutMs: number, log: (msg: string) => void): Promise<void> {
  const failures: { url: string; text: string; network: boolean; md5?: string }[] = [];
  for (const url of f.urls) {
    const tmp = path.join(cache, `.${f.name}.${randomBytes(6).toString('hex')}.part`);
    log(`downloading ${f.name} from ${url}`);
    try {
      const { md5, bytes } = await fetchToFile(fetch, url, tmp, timeoutMs);
      if (md5 === f.md5) {
        await fs.rename(tmp, path.join(cache, f.name));
        log(`downloaded ${f.name} (${bytes} bytes, md5 ok)`);
        return;
      }
      failures.push({ url, text: `got md5 ${md5} (${bytes} bytes)`, network: false, md5 });
    } catch (e) {
      failures.push({ url, text: (e as Error).message, network: isNetworkError(e) });
    }
    await fs.rm(tmp, { force: true });
    log(`${f.name} from ${url} failed: ${failures[failures.length - 1].text}`);
  }
  const detail = failures.map((x) => `${x.url}: ${x.text}`).join('; ');
  if (failures.every((x) => x.network)) throw new Unreachable(`cannot reach any mirror of ${f.name} (${detail})`);
  const wrong = failures.find((x) => x.md5);
  if (wrong) throw new DataError(`checksum mismatch: expected md5 ${f.md5}, got ${wrong.md5} (${detail})`, f.name);
  throw new DataError(`download failed from every mirror (${detail})`, f.name);
}

/** Streams one URL to `tmp`, hashing on the way; the timeout restarts with every chunk. */
async function fetchToFile(fetch: Fetch, url: string, tmp: string, timeoutMs: number): Promise<{ md5: string; bytes: number }> {
  const hash = createHash('md5');
  let bytes = 0;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onTimeout: (() => void) | undefined;
  const kick = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      abort.abort();
      onTimeout?.();
    }, timeoutMs);
  };
  try {
    kick();
    const response = fetch(url);
    // A response that arrives after the timeout is nobody's: close it rather than leak the socket.
    response.then((late) => {
      if (abort.signal.aborted && !Buffer.isBuffer(late)) (late as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }, () => undefined);
    const body = await new Promise<NodeJS.ReadableStream | Buffer>((resolve, reject) => {
      onTimeout = () => reject(timeoutError(timeoutMs));
      response.then(resolve, reject);
    });
    onTimeout = undefined;
    if (Buffer.isBuffer(body)) {
      hash.update(body);
      await fs.writeFile(tmp, body);
      return { md5: hash.digest('hex'), bytes: body.length };
    }
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        kick();
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(body, meter, createWriteStream(tmp), { signal: abort.signal });
    return { md5: hash.digest('hex'), bytes };
  } catch (e) {
    throw abort.signal.aborted ? timeoutError(timeoutMs) : e;
  } finally {
    clearTimeout(timer);
  }
}

async function md5OfFile(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A cached copy counts only if its checksum is right; a bad one (torn write, old version) is removed. */
async function cachedCopyOk(cache: string, f: ManifestFile, log: (msg: string) => void): Promise<boolean> {
  const file = path.join(cache, f.name);
  // lstat: a link planted in the cache is not a cached copy (it would be read, and copied into the data folder).
  const stat = await fs.lstat(file).catch(() => undefined);
  if (!stat?.isFile()) return false;
  if ((f.size === undefined || stat.size === f.size) && (await md5OfFile(file)) === f.md5) return true;
  log(`cached ${file} has the wrong checksum; removing it`);
  await fs.rm(file, { force: true });
  return false;
}

/** Copy under a temporary name, then rename: a reader never sees half a file. */
async function placeCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.${randomBytes(6).toString('hex')}.part`;
  try {
    await fs.copyFile(from, tmp);
    await fs.rename(tmp, to);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Extracts the listed members into a temporary folder inside targetDir (same file system, so the final
 * renames are atomic), then moves the missing ones into place. Any member path with `..` or an absolute
 * path refuses the whole archive: a genuine dataset archive never has one.
 */
async function extractMembers(archive: string, spec: NonNullable<DatasetManifest['archive']>, targetDir: string, missing: string[]): Promise<void> {
  const wanted = new Set(spec.extract);
  const found = new Set<string>();
  let refused: string | undefined;
  const tmp = await fs.mkdtemp(path.join(targetDir, '.extract-'));
  try {
    try {
      await tar.x({
        file: archive,
        cwd: tmp,
        strict: true,
        preserveOwner: false, // as root, tar would otherwise chown to the archive's uid/gid
        filter: (member, entry) => {
          const name = member.replace(/^(\.\/)+/, '');
          if (!isSafeRelative(name)) {
            refused ??= member;
            return false;
          }
          if (!wanted.has(name)) return false;
          // Only plain files: a link member could point outside targetDir.
          if (!('type' in entry) || !['File', 'OldFile', 'ContiguousFile'].includes(entry.type)) {
            refused ??= `${member} (${'type' in entry ? entry.type : 'unknown'} entry, not a file)`;
            return false;
          }
          found.add(name);
          return true;
        },
      });
    } catch (e) {
      throw new DataError(`cannot extract: ${(e as Error).message}`, archive);
    }
    if (refused) throw new DataError(`refusing archive member ${refused}: unsafe path`, archive);
    const absent = [...wanted].filter((m) => !found.has(m));
    if (absent.length) throw new DataError(`archive lacks ${absent.join(', ')}`, archive);
    for (const member of wanted) {
      const out = stripped(member, spec.stripPrefix);
      if (!missing.includes(out)) continue; // never overwrite a file someone put there
      await fs.mkdir(path.dirname(path.join(targetDir, out)), { recursive: true });
      await fs.rename(path.join(tmp, member), path.join(targetDir, out));
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function missingFilesError(manifest: DatasetManifest, targetDir: string, cache: string, missing: string[], why: string): DataError {
  const sources = (files: ManifestFile[]) => files.map((f) => `${f.name} from ${f.urls.join(' or ')} (md5 ${f.md5})`).join('; ');
  const how = manifest.archive
    ? `download ${sources(manifest.files)} and extract its ${manifest.archive.stripPrefix ?? ''} files there, or put the archive itself in ${cache}`
    : `download ${sources(manifest.files.filter((f) => missing.includes(f.name)))} into it (or into ${cache})`;
  return new DataError(
    `${why}. Missing ${manifest.name} files: ${missing.join(', ')}. Put them in ${targetDir}: ${how}. ` +
      `Or start the workflow with source {kind: 'synthetic'}, which runs without them.`,
    targetDir,
  );
}

/** The files that must end up in the target folder. */
function targetNames(manifest: DatasetManifest): string[] {
  return manifest.archive ? manifest.archive.extract.map((m) => stripped(m, manifest.archive?.stripPrefix)) : manifest.files.map((f) => f.name);
}

function stripped(member: string, prefix = ''): string {
  return member.startsWith(prefix) ? member.slice(prefix.length) : member;
}

/** The IDX reader takes `x` or `x.gz`, so an unpacked copy already there counts too. */
async function isPresent(dir: string, name: string): Promise<boolean> {
  const candidates = name.endsWith('.gz') ? [name, name.slice(0, -3)] : [name];
  for (const c of candidates) if (await fs.stat(path.join(dir, c)).then((s) => s.isFile(), () => false)) return true;
  return false;
}

function isSafeRelative(p: string): boolean {
  return p !== '' && !path.isAbsolute(p) && !path.win32.isAbsolute(p) && !p.split(/[\\/]/).includes('..');
}

/** A manifest is code, but a custom one could still name `../x`; check before touching the disk. */
function checkManifest(m: DatasetManifest): void {
  const bad = (what: string) => new DataError(`invalid dataset manifest: ${what}`, m.name);
  if (!isSafeRelative(m.name) || m.name.includes('/')) throw bad(`name ${m.name}`);
  for (const f of m.files) {
    if (!isSafeRelative(f.name) || /[\\/]/.test(f.name)) throw bad(`file name ${f.name}`);
    if (!/^[0-9a-f]{32}$/.test(f.md5)) throw bad(`md5 of ${f.name}`);
    if (f.urls.length === 0) throw bad(`no URLs for ${f.name}`);
  }
  if (m.archive) {
    if (m.files.length !== 1) throw bad('an archive manifest has exactly one file');
    for (const member of m.archive.extract) {
      if (!isSafeRelative(member) || !isSafeRelative(stripped(member, m.archive.stripPrefix))) throw bad(`archive member ${member}`);
    }
  }
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no data for ${ms} ms`), { code: 'ETIMEDOUT' });
}

function isNetworkError(e: unknown): boolean {
  const err = e as { code?: string; errors?: unknown[] };
  // Node's happy-eyeballs connect reports an AggregateError of per-address failures.
  if (Array.isArray(err?.errors) && err.errors.length > 0) return err.errors.every(isNetworkError);
  return typeof err?.code === 'string' && NETWORK_ERROR_CODES.has(err.code);
}
