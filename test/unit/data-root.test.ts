/** The data-root boundary on a real file system: real paths, links in and out, special files, bounded reads. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../src/data/errors';
import { DataRoot, readRegularFile } from '../../src/data/paths';
import { DataLimits, DEFAULT_DATA_LIMITS } from '../../src/data/limits';
import { dataLimitsFromEnv } from '../../src/config/data-limits';
import { syntheticSetOnce } from '../../src/activities/prepare/raw-files';

async function errorOf(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (err: Error) => err);
  expect(e).toBeInstanceOf(DataError);
  return e as Error;
}

describe('DataRoot', () => {
  let base: string;
  let rootDir: string;
  let outside: string;
  let root: DataRoot;

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'data-root-test-'));
    rootDir = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await fs.mkdir(path.join(rootDir, 'raw', 'a'), { recursive: true });
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.txt'), 'SECRET\n');
    await fs.writeFile(path.join(rootDir, 'raw', 'a', 'data.txt'), 'inside\n');
    root = await DataRoot.open(rootDir);
  });
  afterEach(() => fs.rm(base, { recursive: true, force: true }));

  it('resolves relative and absolute paths inside the root, including ones not created yet', async () => {
    expect(await root.resolve('raw/a/data.txt')).toBe(path.join(rootDir, 'raw/a/data.txt'));
    expect(await root.resolve(path.join(rootDir, 'raw/new/x'))).toBe(path.join(rootDir, 'raw/new/x'));
  });

  it('refuses text that leaves the root, and values that are no path', async () => {
    expect((await errorOf(root.resolve('../outside'))).message).toBe(`../outside: path escapes the data root ${rootDir}`);
    expect((await errorOf(root.resolve('/etc'))).message).toBe(`/etc: path escapes the data root ${rootDir}`);
    expect((await errorOf(root.resolve('raw/\0x'))).message).toBe('input path: not a usable path: "raw/\\u0000x"');
    expect((await errorOf(root.resolve(42 as unknown as string))).message).toBe('input path: not a usable path: 42');
  });

  it('refuses a link to a file outside, a linked folder leading outside, and anything under it', async () => {
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(rootDir, 'raw', 'a', 'link.txt'));
    await fs.symlink(outside, path.join(rootDir, 'raw', 'out'));
    const leads = `through a symbolic link (${path.join(rootDir, 'raw', 'out')} leads to ${outside})`;
    expect((await errorOf(root.read('raw/a/link.txt'))).message).toBe(
      `raw/a/link.txt: path escapes the data root ${rootDir} through a symbolic link (${path.join(rootDir, 'raw/a/link.txt')} leads to ${path.join(outside, 'secret.txt')})`,
    );
    expect((await errorOf(root.list('raw/out', ['.txt']))).message).toBe(`raw/out: path escapes the data root ${rootDir} ${leads}`);
    expect((await errorOf(root.mkdir('raw/out/new/deeper'))).message).toBe(`raw/out/new/deeper: path escapes the data root ${rootDir} ${leads}`);
    expect((await errorOf(root.writeFile('raw/out/x.txt', 'x'))).message).toContain('path escapes the data root');
    expect((await errorOf(root.list('raw/a', ['.txt']))).message).toContain('link.txt: path escapes the data root');
    expect(await fs.readdir(outside)).toEqual(['secret.txt']);
  });

  it('follows links that stay inside the root', async () => {
    await fs.symlink(path.join(rootDir, 'raw', 'a'), path.join(rootDir, 'raw', 'alias'));
    await fs.symlink(path.join(rootDir, 'raw', 'a', 'data.txt'), path.join(rootDir, 'raw', 'a', 'alias.txt'));
    expect((await root.read('raw/alias/data.txt')).toString()).toBe('inside\n');
    expect(await root.list('raw/alias', ['.txt'])).toEqual([path.join(rootDir, 'raw/a/data.txt'), path.join(rootDir, 'raw/a/data.txt')]);
  });

  it('refuses a FIFO or a folder as data, without blocking', async () => {
    execFileSync('mkfifo', [path.join(rootDir, 'raw', 'a', 'pipe.txt')]);
    await fs.mkdir(path.join(rootDir, 'raw', 'a', 'folder.txt'));
    expect((await errorOf(root.read('raw/a/pipe.txt'))).message).toBe('raw/a/pipe.txt: refusing to read a named pipe (FIFO): only regular files are data');
    // Even without the root check, the reader opens non-blocking and checks the handle.
    expect((await errorOf(readRegularFile(path.join(rootDir, 'raw/a/pipe.txt')))).message).toContain('refusing to read a named pipe (FIFO)');
    expect((await errorOf(root.read('raw/a/folder.txt'))).message).toBe('raw/a/folder.txt: refusing to read a directory: only regular files are data');
    expect((await errorOf(root.read('/dev/null'))).message).toBe(`/dev/null: path escapes the data root ${rootDir}`);
  });

  it('bounds the size of a read', async () => {
    const small = await DataRoot.open(rootDir, { ...DEFAULT_DATA_LIMITS, maxFileBytes: 4 });
    expect((await errorOf(small.read('raw/a/data.txt'))).message).toBe(
      `${path.join(rootDir, 'raw/a/data.txt')}: file is 7 bytes, more than the limit of 4 (DML_MAX_INPUT_FILE_BYTES)`,
    );
  });

  it('writes files and creates folders inside, never through a link at the name', async () => {
    expect(await root.writeFile('models/run1/model.txt', 'm')).toBe(path.join(rootDir, 'models/run1/model.txt'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(rootDir, 'models', 'run1', 'planted.txt'));
    expect((await errorOf(root.writeFile('models/run1/planted.txt', 'x'))).message).toBe(
      `${path.join(rootDir, 'models/run1/planted.txt')}: refusing to write through a symbolic link`,
    );
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('SECRET\n');
  });

  it('hashes files by name and content through the same checks', async () => {
    const file = path.join(rootDir, 'raw/a/data.txt');
    const h1 = await root.hashFiles([file]);
    await fs.writeFile(file, 'changed\n');
    expect(await root.hashFiles([file])).not.toBe(h1);
    execFileSync('mkfifo', [path.join(rootDir, 'raw', 'a', 'pipe')]);
    expect((await errorOf(root.hashFiles([path.join(rootDir, 'raw/a/pipe')]))).message).toContain('refusing to read a named pipe (FIFO)');
  });
});

describe('syntheticSetOnce', () => {
  it('writes into a fresh folder, replaces an incomplete leftover without following links in it, and reuses a complete set', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'synthetic-once-test-'));
    const root = await DataRoot.open(path.join(base, 'root'));
    await fs.writeFile(path.join(base, 'victim.txt'), 'untouched');
    const leftover = path.join(base, 'root', 'raw', 'synthetic-x');
    await fs.mkdir(leftover, { recursive: true });
    await fs.symlink(path.join(base, 'victim.txt'), path.join(leftover, 'data.txt'));
    const write = jest.fn(async (dir: string) => void (await fs.writeFile(path.join(dir, 'data.txt'), 'generated')));

    const dir = await syntheticSetOnce(root, 'synthetic-x', write);
    expect(dir).toBe(leftover);
    expect(await fs.readFile(path.join(dir, 'data.txt'), 'utf8')).toBe('generated');
    expect((await fs.lstat(path.join(dir, 'data.txt'))).isFile()).toBe(true);
    expect(await fs.readFile(path.join(base, 'victim.txt'), 'utf8')).toBe('untouched');
    expect(await syntheticSetOnce(root, 'synthetic-x', write)).toBe(dir);
    expect(write).toHaveBeenCalledTimes(1);
    expect((await fs.readdir(path.join(base, 'root', 'raw'))).sort()).toEqual(['synthetic-x']);
    await fs.rm(base, { recursive: true, force: true });
  });
});

describe('dataLimitsFromEnv', () => {
  it('uses the defaults, or the environment when set', () => {
    expect(dataLimitsFromEnv({})).toEqual(DEFAULT_DATA_LIMITS);
    const limits: DataLimits = dataLimitsFromEnv({ DML_DATA_MIN_DATE: '2000-01-01', DML_DATA_MAX_DATE: '2030-06-30', DML_MAX_SERIES_POINTS: '1000', DML_POWER_MAX_KW: '20' });
    expect(limits).toMatchObject({ minTime: Date.UTC(2000, 0, 1), maxTime: Date.UTC(2030, 5, 30), maxSeriesPoints: 1000, powerMaxKw: 20 });
  });

  it('rejects values that are not what they claim', () => {
    expect(() => dataLimitsFromEnv({ DML_DATA_MAX_DATE: '2026-02-30' })).toThrow("DML_DATA_MAX_DATE must be a YYYY-MM-DD date, got '2026-02-30'");
    expect(() => dataLimitsFromEnv({ DML_MAX_INPUT_FILE_BYTES: '-1' })).toThrow("DML_MAX_INPUT_FILE_BYTES must be a positive number, got '-1'");
    expect(() => dataLimitsFromEnv({ DML_DATA_MIN_DATE: '2200-01-01' })).toThrow('DML_DATA_MIN_DATE must be before DML_DATA_MAX_DATE');
  });
});
