/**
 * IDX files (the MNIST container): 2 zero bytes, a type byte, a dimension-count byte,
 * one big-endian uint32 per dimension, then the data. Only unsigned bytes (0x08) are
 * supported because that is all MNIST uses; anything else is rejected rather than guessed.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from './errors';
import { DATA_LIMIT_ENV } from './limits';
import { dataLimitsFromEnv } from '../config/data-limits';
import { readRegularFile, ReadFile } from './paths';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export interface Mnist {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

const TYPE_UBYTE = 0x08;
const MAX_DIMS = 4;

/**
 * Reads the file (only a regular one, bounded: see readRegularFile) and gunzips it when it starts with the gzip
 * magic 0x1f 0x8b; inflating stops at the same size limit, so a gzip bomb cannot exhaust memory.
 */
export async function readMaybeGzip(file: string, read: ReadFile = readRegularFile): Promise<{ bytes: Uint8Array; gzipped: boolean }> {
  const raw = await read(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    const maxOutputLength = dataLimitsFromEnv().maxFileBytes;
    try {
      return { bytes: gunzipSync(raw, { maxOutputLength }), gzipped: true };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DataError(`gzip stream inflates to more than ${maxOutputLength} bytes (${DATA_LIMIT_ENV.maxFileBytes})`, file, 'offset 0');
      }
      throw new DataError(`corrupt gzip stream: ${(e as Error).message}`, file, 'offset 0');
    }
  }
  return { bytes: raw, gzipped: false };
}

/** Offsets in messages refer to the decompressed bytes when the file is gzipped. */
function where(offset: number, gzipped: boolean): string {
  return gzipped ? `offset ${offset} (decompressed)` : `offset ${offset}`;
}

export async function readIdx(file: string, read?: ReadFile): Promise<IdxArray> {
  const { dims, data } = await readIdxDetailed(file, read);
  return { dims, data };
}

async function readIdxDetailed(file: string, read?: ReadFile): Promise<IdxArray & { gzipped: boolean }> {
  const { bytes, gzipped } = await readMaybeGzip(file, read);
  if (bytes.length < 4) {
    throw new DataError(`file is ${bytes.length} bytes, too short for an IDX header`, file, where(bytes.length, gzipped));
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError('bad IDX magic: first two bytes must be zero', file, where(bytes[0] !== 0 ? 0 : 1, gzipped));
  }
  if (bytes[2] !== TYPE_UBYTE) {
    throw new DataError(
      `unsupported IDX type 0x${bytes[2].toString(16).padStart(2, '0')} (only 0x08 unsigned byte)`,
      file,
      where(2, gzipped),
    );
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > MAX_DIMS) {
    throw new DataError(`IDX dimension count ${ndims} outside 1..${MAX_DIMS}`, file, where(3, gzipped));
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) {
    throw new DataError(`header ended early: need ${headerLen} bytes for ${ndims} dims`, file, where(bytes.length, gzipped));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLen;
  if (actual < expected) {
    throw new DataError(
      `truncated data: dims [${dims.join(', ')}] need ${expected} bytes, data ended after ${actual}`,
      file,
      where(bytes.length, gzipped),
    );
  }
  if (actual > expected) {
    throw new DataError(
      `${actual - expected} trailing bytes after dims [${dims.join(', ')}]`,
      file,
      where(headerLen + expected, gzipped),
    );
  }
  // Plain Uint8Array copy: not a Buffer, and it does not pin the (possibly larger) file buffer.
  return { dims, data: new Uint8Array(bytes.subarray(headerLen)), gzipped };
}

export async function writeIdx(
  file: string,
  dims: number[],
  data: Uint8Array,
  opts: { gzip?: boolean } = {},
): Promise<void> {
  if (dims.length < 1 || dims.length > MAX_DIMS) {
    throw new DataError(`IDX needs 1..${MAX_DIMS} dims, got ${dims.length}`, file, 'dims');
  }
  dims.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) throw new DataError(`dim ${d} is not a uint32`, file, `dims[${i}]`);
  });
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== data.length) {
    throw new DataError(`data has ${data.length} bytes but dims [${dims.join(', ')}] need ${expected}`, file, 'data');
  }
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = TYPE_UBYTE;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const body = Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  await writeFile(file, opts.gzip ? gzipSync(body) : body);
}

/** Raw or gzipped copy of a standard file name; the raw one wins when both exist (no inflate cost). */
function findVariant(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const p = path.join(dir, candidate);
    if (existsSync(p)) return p;
  }
  throw new DataError(`missing ${name} (or ${name}.gz)`, path.join(dir, name));
}

/** `read` lets the caller route the reads through a DataRoot (links and FIFOs refused, reads bounded). */
export async function loadMnist(dir: string, split: 'train' | 't10k', read?: ReadFile): Promise<Mnist & { imagesFile: string; labelsFile: string }> {
  const imagesFile = findVariant(dir, `${split}-images-idx3-ubyte`);
  const labelsFile = findVariant(dir, `${split}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([readIdxDetailed(imagesFile, read), readIdxDetailed(labelsFile, read)]);
  if (images.dims.length !== 3) {
    throw new DataError(`images must be 3-dim [count, rows, cols], got [${images.dims.join(', ')}]`, imagesFile, 'offset 3');
  }
  if (labels.dims.length !== 1) {
    throw new DataError(`labels must be 1-dim [count], got [${labels.dims.join(', ')}]`, labelsFile, 'offset 3');
  }
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(`${labels.dims[0]} labels for ${count} images`, labelsFile, 'offset 4');
  }
  const labelHeader = 8; // 4 magic bytes + one uint32 dim
  for (let i = 0; i < count; i++) {
    if (labels.data[i] > 9) {
      throw new DataError(`label ${labels.data[i]} of item ${i} outside 0..9`, labelsFile, where(labelHeader + i, labels.gzipped));
    }
  }
  return { images: images.data, labels: labels.data, count, rows, cols, imagesFile, labelsFile };
}
