/**
 * Copies of local folders in the MLflow artifact store (through the tracking server's proxy), so a worker on another
 * machine, with its own data root, finds what another worker wrote: training checkpoints and prepared arrays. The
 * local disk stays the cache; the store is read only when the local copy is missing.
 *
 * Publishing is versioned: a version's files go to `<prefix>/<version>/`, then `<prefix>/LATEST.json` (written last)
 * names the version with each file's sha256. Readers follow only the pointer and check every hash, so a version whose
 * upload was cut short (a killed worker) is never used: the previous pointer still names a complete one.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MlflowError, type MlflowClient } from '../mlflow';
import { syncDir, writeFileSynced } from '../models/fs-io';
import { readRegularFile } from '../data/paths';

export interface RemoteFolder {
  mlflow: MlflowClient;
  /** A `mlflow-artifacts:/...` URI (a run's artifact URI, or the experiment's for data shared by runs). */
  artifactUri: string;
  /** Folder under that URI holding the versions and the pointer ('' = the URI itself). */
  prefix: string;
  /** The pointer's file name in that folder (LATEST.json by default). */
  pointer?: string;
}

const POINTER = 'LATEST.json';
const under = (remote: RemoteFolder, name: string) => (remote.prefix ? `${remote.prefix}/${name}` : name);
const pointerPath = (remote: RemoteFolder) => under(remote, remote.pointer ?? POINTER);
/** One path element: a pointer naming `../x` or `a/b` is refused, never followed out of the target folder. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PointerSchema = z.object({
  version: z.string().regex(NAME),
  files: z.record(z.string().regex(NAME), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type RemotePointer = z.infer<typeof PointerSchema>;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Reads a folder's regular files into memory first, so a folder pruned mid-upload cannot tear the copy. */
export async function readFolder(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isFile()) files[entry.name] = await fs.readFile(path.join(dir, entry.name));
  }
  return files;
}

/**
 * Uploads `files` as `version`, then points LATEST.json at it; the version it replaces is deleted (best effort).
 * `afterFile` runs after each upload (an activity heartbeats there: a large folder takes a while).
 */
export async function publishVersion(remote: RemoteFolder, version: string, files: Record<string, Buffer>, afterFile = () => {}): Promise<RemotePointer> {
  if (!NAME.test(version)) throw new TypeError(`remote version '${version}' must be one path element`);
  const previous = await readPointer(remote);
  for (const [name, data] of Object.entries(files)) {
    await remote.mlflow.uploadArtifact(remote.artifactUri, `${under(remote, version)}/${name}`, data);
    afterFile();
  }
  const pointer: RemotePointer = { version, files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, sha256(data)])) };
  await remote.mlflow.uploadArtifact(remote.artifactUri, pointerPath(remote), JSON.stringify(pointer));
  // Only the newest version is ever read; older ones would only pile up (one per checkpoint interval).
  if (previous && previous.version !== version) {
    await remote.mlflow.deleteArtifact(remote.artifactUri, under(remote, previous.version)).catch(() => undefined);
  }
  return pointer;
}

/** Whether `dir` holds every file of `files` (name → sha256) with that content: a local copy that needs no fetch. */
export async function holdsFiles(dir: string, files: Record<string, string>): Promise<boolean> {
  for (const [name, hash] of Object.entries(files)) {
    // Regular files only: a link planted in the local copy is no copy (and is never read through).
    const data = await readRegularFile(path.join(dir, name)).catch(() => undefined);
    if (!data || sha256(data) !== hash) return false;
  }
  return true;
}

/** The published pointer, or undefined when nothing was published under the prefix. */
export async function readPointer(remote: RemoteFolder): Promise<RemotePointer | undefined> {
  let text: Buffer;
  try {
    text = await remote.mlflow.downloadArtifact(remote.artifactUri, pointerPath(remote));
  } catch (err) {
    if (err instanceof MlflowError && err.status === 404) return undefined;
    throw err;
  }
  const parsed = PointerSchema.safeParse(JSON.parse(text.toString('utf8')));
  if (!parsed.success) throw new Error(`${pointerPath(remote)} in ${remote.artifactUri} is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Downloads the published version into `folderOf(version)` (written to a temporary sibling, flushed, renamed), and
 * returns that folder; undefined when nothing is published. A file whose hash differs from the pointer's fails it.
 */
export async function fetchLatest(remote: RemoteFolder, folderOf: (version: string) => string): Promise<string | undefined> {
  const pointer = await readPointer(remote);
  if (!pointer) return undefined;
  const final = folderOf(pointer.version);
  const parentDir = path.dirname(final);
  await fs.mkdir(parentDir, { recursive: true });
  const tmp = path.join(parentDir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    for (const [name, hash] of Object.entries(pointer.files)) {
      const file = `${under(remote, pointer.version)}/${name}`;
      const data = await remote.mlflow.downloadArtifact(remote.artifactUri, file);
      if (sha256(data) !== hash) throw new Error(`${file} does not match its hash in ${remote.pointer ?? POINTER}`);
      await writeFileSynced(path.join(tmp, name), data);
    }
    await syncDir(tmp);
    await fs.rm(final, { recursive: true, force: true });
    await fs.rename(tmp, final);
    await syncDir(parentDir);
    return final;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Publishes folders one at a time in the background, keeping only the newest waiting one: a slow store delays
 * the copies, never the training or its heartbeats, and a burst of checkpoints costs one upload.
 */
export class BackgroundPublisher {
  private pending?: { version: string; dir: string };
  private running?: Promise<void>;

  constructor(
    private readonly remote: RemoteFolder,
    private readonly onError: (version: string, err: unknown) => void,
  ) {}

  publish(version: string, dir: string): void {
    this.pending = { version, dir };
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once every requested publication has been attempted. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const { version, dir } = this.pending;
      this.pending = undefined;
      try {
        await publishVersion(this.remote, version, await readFolder(dir));
      } catch (err) {
        this.onError(version, err);
      }
    }
  }
}
