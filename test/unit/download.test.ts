import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { CIFAR10_MANIFEST, MNIST_MANIFEST, ensureDataset, type DatasetManifest } from '../../src/data/download';
import { DataError } from '../../src/data/errors';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Loopback server: path → body, status code, '/redirect-target', or 'stall' (never answers); records requests. */
const routes = new Map<string, Buffer | number | string>();
let requests: string[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes.get(req.url ?? '');
    if (route === 'stall') return; // never answers
    if (typeof route === 'string' && route.startsWith('/')) {
      res.writeHead(302, { location: route }).end();
    } else if (Buffer.isBuffer(route)) res.end(route);
    else res.writeHead(typeof route === 'number' ? route : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let dir: string;
let target: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'download-test-'));
  target = path.join(dir, 'raw', 'ds');
  cacheDir = path.join(dir, 'cache');
  routes.clear();
  requests = [];
  delete process.env.DML_OFFLINE;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const A = Buffer.from('first file bytes '.repeat(1000));
const B = Buffer.from('second file, other bytes');

function twoFiles(urlsA = [`${base}/m1/a.bin`], urlsB = [`${base}/m1/b.bin`]): DatasetManifest {
  return {
    name: 'ds',
    files: [
      { name: 'a.bin', md5: md5(A), urls: urlsA },
      { name: 'b.bin', md5: md5(B), urls: urlsB },
    ],
  };
}

async function dataErrorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(DataError);
  return e as Error;
}

/** Nothing half-written may stay behind in the cache or the target. */
function expectNoTempFiles(): void {
  for (const d of [target, path.join(cacheDir, 'ds')]) {
    if (existsSync(d)) expect(readdirSync(d).filter((n) => n.startsWith('.') || n.endsWith('.part'))).toEqual([]);
  }
}

describe('ensureDataset: plain files', () => {
  it('downloads into the target and the cache, then serves from the cache without any request', async () => {
    routes.set('/m1/a.bin', A).set('/m1/b.bin', B);
    const logs: string[] = [];
    const first = await ensureDataset(twoFiles(), target, { cacheDir, log: (m) => logs.push(m) });
    expect(first).toEqual({ downloaded: ['a.bin', 'b.bin'], fromCache: [], present: [] });
    expect(readFileSync(path.join(target, 'a.bin')).equals(A)).toBe(true);
    expect(readFileSync(path.join(cacheDir, 'ds', 'b.bin')).equals(B)).toBe(true);
    expect(requests).toHaveLength(2);
    expect(logs.some((m) => m.includes('a.bin'))).toBe(true);

    const again = path.join(dir, 'other-target');
    expect(await ensureDataset(twoFiles(), again, { cacheDir })).toEqual({ downloaded: [], fromCache: ['a.bin', 'b.bin'], present: [] });
    expect(readFileSync(path.join(again, 'b.bin')).equals(B)).toBe(true);
    expect(await ensureDataset(twoFiles(), target, { cacheDir })).toEqual({ downloaded: [], fromCache: [], present: ['a.bin', 'b.bin'] });
    expect(requests).toHaveLength(2);
    expectNoTempFiles();
  });

  it('replaces a corrupted cached copy by a fresh download', async () => {
    routes.set('/m1/a.bin', A).set('/m1/b.bin', B);
    mkdirSync(path.join(cacheDir, 'ds'), { recursive: true });
    writeFileSync(path.join(cacheDir, 'ds', 'a.bin'), 'torn');
    const r = await ensureDataset(twoFiles(), target, { cacheDir });
    expect(r.downloaded).toEqual(['a.bin', 'b.bin']);
    expect(readFileSync(path.join(cacheDir, 'ds', 'a.bin')).equals(A)).toBe(true);
  });

  it('falls through to the next mirror on a wrong MD5 and on a 404, and follows redirects', async () => {
    routes.set('/bad/a.bin', Buffer.from('tampered')).set('/good/a.bin', A).set('/missing/b.bin', 404).set('/moved/b.bin', '/good/b.bin');
    routes.set('/good/b.bin', B);
    const m = twoFiles([`${base}/bad/a.bin`, `${base}/good/a.bin`], [`${base}/missing/b.bin`, `${base}/moved/b.bin`]);
    expect((await ensureDataset(m, target, { cacheDir })).downloaded).toEqual(['a.bin', 'b.bin']);
    expect(readFileSync(path.join(target, 'a.bin')).equals(A)).toBe(true);
    expect(readFileSync(path.join(target, 'b.bin')).equals(B)).toBe(true);
    expect(requests).toEqual(['/bad/a.bin', '/good/a.bin', '/missing/b.bin', '/moved/b.bin', '/good/b.bin']);
    expectNoTempFiles();
  });

  it('names the file, the expected and the actual MD5 when every mirror serves wrong bytes', async () => {
    const wrong = Buffer.from('not the data');
    routes.set('/x/a.bin', wrong).set('/y/a.bin', wrong);
    const e = await dataErrorOf(ensureDataset(twoFiles([`${base}/x/a.bin`, `${base}/y/a.bin`]), target, { cacheDir }));
    expect(e.message).toContain('a.bin');
    expect(e.message).toContain(`expected md5 ${md5(A)}`);
    expect(e.message).toContain(md5(wrong));
    expect(existsSync(path.join(target, 'a.bin'))).toBe(false);
    expect(existsSync(path.join(cacheDir, 'ds', 'a.bin'))).toBe(false);
    expectNoTempFiles();
  });

  it('reports a mirror that only answers HTTP errors with its status', async () => {
    routes.set('/m1/a.bin', 500);
    const e = await dataErrorOf(ensureDataset(twoFiles(), target, { cacheDir }));
    expect(e.message).toContain('HTTP 500');
  });

  it('without network lists exactly the missing files, where to put them and the synthetic fallback', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    mkdirSync(target, { recursive: true });
    writeFileSync(path.join(target, 'a.bin'), A); // already there: must not be listed
    const url = `http://127.0.0.1:${port}/b.bin`;
    const e = await dataErrorOf(ensureDataset(twoFiles(undefined, [url]), target, { cacheDir }));
    expect(e.message).toContain('Missing ds files: b.bin.');
    expect(e.message).not.toContain('a.bin');
    expect(e.message).toContain(`Put them in ${target}`);
    expect(e.message).toContain(url);
    expect(e.message).toContain("source {kind: 'synthetic'}");
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('counts a server that never answers as offline, after the timeout', async () => {
    routes.set('/slow/a.bin', 'stall');
    const started = Date.now();
    const e = await dataErrorOf(ensureDataset(twoFiles([`${base}/slow/a.bin`]), target, { cacheDir, timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(e.message).toContain('Missing ds files: a.bin, b.bin.');
    expectNoTempFiles();
  });

  it('offline (option or DML_OFFLINE=1) makes no request but still uses the cache', async () => {
    const e = await dataErrorOf(ensureDataset(twoFiles(), target, { cacheDir, offline: true }));
    expect(e.message).toContain('Missing ds files: a.bin, b.bin.');
    expect(e.message).toContain(`${base}/m1/a.bin`);
    process.env.DML_OFFLINE = '1';
    await dataErrorOf(ensureDataset(twoFiles(), target, { cacheDir }));
    expect(requests).toEqual([]);

    mkdirSync(path.join(cacheDir, 'ds'), { recursive: true });
    writeFileSync(path.join(cacheDir, 'ds', 'a.bin'), A);
    writeFileSync(path.join(cacheDir, 'ds', 'b.bin'), B);
    expect((await ensureDataset(twoFiles(), target, { cacheDir })).fromCache).toEqual(['a.bin', 'b.bin']);
    expect(requests).toEqual([]);
  });

  it('takes bytes from a custom fetch returning a Buffer', async () => {
    const fetch = async (url: string) => (url.endsWith('a.bin') ? A : B);
    expect((await ensureDataset(twoFiles(), target, { cacheDir, fetch })).downloaded).toEqual(['a.bin', 'b.bin']);
    expect(readFileSync(path.join(target, 'b.bin')).equals(B)).toBe(true);
    expect(requests).toEqual([]);
  });
});

describe('ensureDataset: archives', () => {
  async function archiveOf(members: Record<string, string>, opts: { cwd?: string } = {}): Promise<Buffer> {
    const src = path.join(dir, 'src', 'inner');
    for (const [name, text] of Object.entries(members)) {
      mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
      writeFileSync(path.join(src, name), text);
    }
    const file = path.join(dir, 'archive.tar.gz');
    await tar.c({ gzip: true, file, cwd: opts.cwd ?? src, preservePaths: true }, Object.keys(members));
    return readFileSync(file);
  }

  const manifestFor = (archive: Buffer, extract: string[]): DatasetManifest => ({
    name: 'ds',
    files: [{ name: 'set.tar.gz', md5: md5(archive), urls: [`${base}/set.tar.gz`], size: archive.length }],
    archive: { extract, stripPrefix: 'set-bin/' },
  });

  it('extracts only the listed members with the prefix stripped, then reuses the cached archive', async () => {
    const archive = await archiveOf({ 'set-bin/one.bin': '1', 'set-bin/two.txt': '2', 'set-bin/extra.bin': 'x', 'README': 'r' });
    routes.set('/set.tar.gz', archive);
    const m = manifestFor(archive, ['set-bin/one.bin', 'set-bin/two.txt']);
    expect(await ensureDataset(m, target, { cacheDir })).toEqual({ downloaded: ['one.bin', 'two.txt'], fromCache: [], present: [] });
    expect(readdirSync(target).sort()).toEqual(['one.bin', 'two.txt']);
    expect(readFileSync(path.join(target, 'two.txt'), 'utf8')).toBe('2');
    expect(readdirSync(path.join(cacheDir, 'ds'))).toEqual(['set.tar.gz']);

    rmSync(path.join(target, 'one.bin'));
    expect(await ensureDataset(m, target, { cacheDir })).toEqual({ downloaded: [], fromCache: ['one.bin'], present: ['two.txt'] });
    expect(readFileSync(path.join(target, 'one.bin'), 'utf8')).toBe('1');
    expect(requests).toHaveLength(1);
  });

  it('refuses an archive with a ../ member, writing nothing', async () => {
    const archive = await archiveOf({ '../evil': 'pwned', 'set-bin/one.bin': '1' });
    routes.set('/set.tar.gz', archive);
    const e = await dataErrorOf(ensureDataset(manifestFor(archive, ['set-bin/one.bin']), target, { cacheDir }));
    expect(e.message).toContain('refusing archive member ../evil');
    expect(readdirSync(target)).toEqual([]);
    expect(existsSync(path.join(dir, 'raw', 'evil'))).toBe(false);
    expect(existsSync(path.join(dir, 'evil'))).toBe(false);
  });

  it('rejects a manifest whose members would land outside the target', async () => {
    const m = manifestFor(Buffer.from('x'), ['set-bin/../../evil']);
    expect((await dataErrorOf(ensureDataset(m, target, { cacheDir }))).message).toContain('invalid dataset manifest');
    expect(requests).toEqual([]);
  });

  it('offline error for an archive names the members, the archive URL and the cache', async () => {
    const m = manifestFor(Buffer.from('x'), ['set-bin/one.bin']);
    const e = await dataErrorOf(ensureDataset(m, target, { cacheDir, offline: true }));
    expect(e.message).toContain('Missing ds files: one.bin.');
    expect(e.message).toContain(`${base}/set.tar.gz`);
    expect(e.message).toContain(path.join(cacheDir, 'ds'));
  });
});

describe('official manifests', () => {
  it('pin the torchvision names, MD5s and mirrors', () => {
    expect(MNIST_MANIFEST.files.map((f) => [f.name, f.md5])).toEqual([
      ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
      ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
      ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
      ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
    ]);
    expect(MNIST_MANIFEST.files[0].urls).toEqual([
      'https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz',
      'https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz',
    ]);
    expect(CIFAR10_MANIFEST.files).toEqual([
      {
        name: 'cifar-10-binary.tar.gz',
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
        size: 170052171,
      },
    ]);
    expect(CIFAR10_MANIFEST.archive).toEqual({
      extract: [
        'cifar-10-batches-bin/data_batch_1.bin',
        'cifar-10-batches-bin/data_batch_2.bin',
        'cifar-10-batches-bin/data_batch_3.bin',
        'cifar-10-batches-bin/data_batch_4.bin',
        'cifar-10-batches-bin/data_batch_5.bin',
        'cifar-10-batches-bin/test_batch.bin',
        'cifar-10-batches-bin/batches.meta.txt',
      ],
      stripPrefix: 'cifar-10-batches-bin/',
    });
  });
});
