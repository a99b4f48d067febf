/**
 * The data root is a boundary: every read and write of raw, cached, prepared and model data goes through here.
 *  - Paths are judged by where they REALLY are: the deepest existing part is resolved with realpath, so a
 *    symbolic link (to a file or a folder, at any level) that leads out of the root is refused, as is `..`.
 *  - Only regular files are read: a FIFO, socket or device is refused before it is opened, and files are opened
 *    with O_NOFOLLOW | O_NONBLOCK and checked again on the open handle, so nothing can block a worker thread.
 *  - Reads are bounded in size and time (DataLimits), so no input can hang the worker or exhaust its memory.
 * Refusals are DataErrors (non-retryable) naming the path; they never quote the contents of a refused file.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { DataError } from './errors';
import { DATA_LIMIT_ENV, DataLimits } from './limits';
import { dataLimitsFromEnv } from '../config/data-limits';

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Reads a whole file; the loaders take one so the activities can route their reads through a DataRoot. */
export type ReadFile = (file: string) => Promise<Buffer>;

const within = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isSymbolicLink(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return 'a device';
  return 'not a regular file';
}

const errnoOf = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/** Rejects after `ms` with a DataError; `onTimeout` releases what the slow operation holds. */
async function withinTime<T>(work: Promise<T>, ms: number, file: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new DataError(`reading took longer than ${ms} ms (${DATA_LIMIT_ENV.readTimeoutMs})`, file));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens a file for reading only if it is a regular file: O_NOFOLLOW refuses a link at the last step,
 * O_NONBLOCK keeps a FIFO from blocking the open, and the type and size are checked on the handle itself.
 */
async function openRegular(file: string, limits: Pick<DataLimits, 'maxFileBytes'>): Promise<{ handle: fs.FileHandle; size: number }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch (e) {
    if (errnoOf(e) === 'ELOOP') throw new DataError('refusing to read through a symbolic link', file);
    if (errnoOf(e) === 'ENOENT') throw new DataError('file not found', file);
    throw new DataError(`cannot read file: ${(e as Error).message}`, file);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new DataError(`refusing to read ${kindOf(stat)}: only regular files are data`, file);
  }
  if (stat.size > limits.maxFileBytes) {
    await handle.close();
    throw new DataError(`file is ${stat.size} bytes, more than the limit of ${limits.maxFileBytes} (${DATA_LIMIT_ENV.maxFileBytes})`, file);
  }
  return { handle, size: stat.size };
}

/** Reads a regular file (no links, no FIFOs), bounded in size and time. Does not check a root: see DataRoot.read. */
export async function readRegularFile(file: string, limits: Pick<DataLimits, 'maxFileBytes' | 'readTimeoutMs'> = dataLimitsFromEnv()): Promise<Buffer> {
  const { handle, size } = await openRegular(file, limits);
  try {
    const buffer = Buffer.alloc(size);
    const readAll = async () => {
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(buffer, at, size - at, at);
        if (bytesRead === 0) break; // shrank while reading: what was there is what we have
        at += bytesRead;
      }
      return at === size ? buffer : buffer.subarray(0, at);
    };
    return await withinTime(readAll(), limits.readTimeoutMs, file, () => void handle.close().catch(() => undefined));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Checks that a path is a regular file that can be opened without blocking (for readers that open by path, like polars). */
export async function assertRegularFile(file: string, limits: Pick<DataLimits, 'maxFileBytes'> = dataLimitsFromEnv()): Promise<void> {
  const { handle } = await openRegular(file, limits);
  await handle.close();
}

export class DataRoot {
  private constructor(
    /** The root as configured (absolute). */
    readonly dir: string,
    /** Its real path: every path used is inside this. */
    readonly real: string,
    readonly limits: DataLimits,
  ) {}

  /** Creates the root if missing; a root that is itself a link is fine (the operator chose it). */
  static async open(dir: string, limits: DataLimits = dataLimitsFromEnv()): Promise<DataRoot> {
    const root = path.resolve(dir);
    await fs.mkdir(root, { recursive: true }).catch((e) => {
      // A file where the root should be is misconfigured storage (a non-retryable StorageError), not bad data.
      throw errnoOf(e) === 'EEXIST' ? Object.assign(new Error(`not a directory: ${root}`), { code: 'ENOTDIR', path: root }) : e;
    });
    return new DataRoot(root, await fs.realpath(root), limits);
  }

  /**
   * `p` (relative to the root, or absolute) as a real path inside the root. The deepest part that exists is
   * resolved with realpath and must stay inside; the rest (not created yet) is appended as text.
   */
  async resolve(p: string): Promise<string> {
    if (typeof p !== 'string' || p === '' || p.includes('\0')) throw new DataError(`not a usable path: ${JSON.stringify(p)}`, 'input path');
    const lexical = path.resolve(this.dir, p);
    if (!within(this.dir, lexical) && !within(this.real, lexical)) throw new DataError(`path escapes the data root ${this.dir}`, p);
    const rest: string[] = [];
    let existing = lexical;
    for (;;) {
      let real: string;
      try {
        real = await fs.realpath(existing);
      } catch (e) {
        const parent = path.dirname(existing);
        if (errnoOf(e) !== 'ENOENT' || parent === existing) throw e;
        rest.unshift(path.basename(existing));
        existing = parent;
        continue;
      }
      if (!within(this.real, real)) {
        throw new DataError(`path escapes the data root ${this.dir} through a symbolic link (${existing} leads to ${real})`, p);
      }
      return path.join(real, ...rest);
    }
  }

  /** Creates a folder (and its parents) inside the root; returns its real path. */
  async mkdir(p: string): Promise<string> {
    const target = await this.resolve(p);
    await fs.mkdir(target, { recursive: true });
    // Checked again once it exists: a link planted while creating it must not lead out.
    const real = await this.resolve(target);
    const stat = await fs.lstat(real);
    if (!stat.isDirectory()) throw new DataError(`expected a directory, found ${kindOf(stat)}`, p);
    return real;
  }

  /** A fresh, empty folder `<parent>/<prefix>XXXXXX` inside the root: nobody can have planted anything in it. */
  async mkdtemp(parent: string, prefix: string): Promise<string> {
    return fs.mkdtemp(path.join(await this.mkdir(parent), prefix));
  }

  /** The real path of an existing regular file inside the root (links inside the root are fine). */
  async file(p: string): Promise<string> {
    const real = await this.resolve(p);
    const stat = await fs.lstat(real).catch((e) => {
      if (errnoOf(e) === 'ENOENT') throw new DataError('file not found', p);
      throw e;
    });
    if (!stat.isFile()) throw new DataError(`refusing to read ${kindOf(stat)}: only regular files are data`, p);
    return real;
  }

  /** Whether something exists at `p` (a path that leaves the root is an error, not "absent"). */
  async exists(p: string): Promise<boolean> {
    const real = await this.resolve(p);
    return fs.lstat(real).then(() => true, () => false);
  }

  /** The given names that exist in `dir`, as checked real paths (a FIFO or an outside link there is an error). */
  async existingFiles(dir: string, names: string[]): Promise<string[]> {
    const found: string[] = [];
    for (const name of names) {
      const p = path.join(dir, name);
      if (await this.exists(p)) found.push(await this.file(p));
    }
    return found;
  }

  /** Regular files in a folder with one of the extensions, sorted, as checked real paths; [] when the folder is missing. */
  async list(dir: string, extensions: string[]): Promise<string[]> {
    const folder = await this.resolve(dir);
    const names = await fs.readdir(folder).catch((e) => {
      if (errnoOf(e) === 'ENOENT') return [] as string[];
      if (errnoOf(e) === 'ENOTDIR') throw new DataError('expected a directory of data files, found a file', dir);
      throw e;
    });
    const wanted = names.filter((n) => extensions.some((e) => n.endsWith(e))).sort();
    return Promise.all(wanted.map((n) => this.file(path.join(folder, n))));
  }

  /** A whole file inside the root, bounded in size and time. */
  readonly read: ReadFile = async (p: string) => readRegularFile(await this.file(p), this.limits);

  async readText(p: string): Promise<string> {
    return decodeText(await this.read(p), p);
  }

  /** Writes a file inside the root, never through a link at its name. */
  async writeFile(p: string, data: string | Uint8Array): Promise<string> {
    const parent = await this.mkdir(path.dirname(path.resolve(this.dir, p)));
    const file = path.join(parent, path.basename(p));
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, WRITE_FLAGS, 0o644);
    } catch (e) {
      if (errnoOf(e) === 'ELOOP') throw new DataError('refusing to write through a symbolic link', file);
      throw e;
    }
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    return file;
  }

  /** Content hash of files (names and bytes), so unchanged inputs can reuse their prepared data. */
  async hashFiles(files: string[], extra = ''): Promise<string> {
    const hash = createHash('sha256');
    for (const file of [...files].sort()) {
      const { handle } = await openRegular(await this.file(file), this.limits);
      try {
        hash.update(path.basename(file));
        const stream = handle.createReadStream({ autoClose: false });
        const consume = async () => {
          for await (const chunk of stream) hash.update(chunk as Buffer);
        };
        await withinTime(consume(), this.limits.readTimeoutMs, file, () => stream.destroy());
      } finally {
        await handle.close().catch(() => undefined);
      }
    }
    hash.update(extra);
    return hash.digest('hex');
  }
}

/** A file's bytes as UTF-8 text, or a clear error when they exceed what one JavaScript string can hold. */
export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.length > bufferConstants.MAX_STRING_LENGTH) {
    throw new DataError(`file is ${bytes.length} bytes, too large to parse as text (split it into several files)`, file);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
