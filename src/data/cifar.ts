/**
 * CIFAR-10 binary batches: fixed 3073-byte records (1 label byte, then 1024 R, 1024 G, 1024 B
 * bytes of a 32x32 image, row-major). No header, so the file size alone must be exact.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DataError } from './errors';
import { readRegularFile, ReadFile } from './paths';

export const CIFAR_SIDE = 32;
export const CIFAR_CHANNELS = 3;
export const CIFAR_IMAGE_BYTES = CIFAR_SIDE * CIFAR_SIDE * CIFAR_CHANNELS; // 3072
export const CIFAR_RECORD_BYTES = 1 + CIFAR_IMAGE_BYTES; // 3073
export const CIFAR_CLASSES = 10;

export interface CifarBatch {
  /** count * 3072 bytes, CHW per image. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Only a regular file is read, bounded in size and time; `read` may route it through a DataRoot. */
export async function readCifarBatch(file: string, read: ReadFile = readRegularFile): Promise<CifarBatch> {
  const bytes = await read(file);
  if (bytes.length === 0) throw new DataError('empty batch', file, 'offset 0');
  const count = Math.floor(bytes.length / CIFAR_RECORD_BYTES);
  const rest = bytes.length % CIFAR_RECORD_BYTES;
  if (rest !== 0) {
    throw new DataError(
      `truncated record ${count}: ${rest} of ${CIFAR_RECORD_BYTES} bytes (file size ${bytes.length})`,
      file,
      `offset ${count * CIFAR_RECORD_BYTES}`,
    );
  }
  const images = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * CIFAR_RECORD_BYTES;
    const label = bytes[at];
    if (label >= CIFAR_CLASSES) throw new DataError(`label ${label} of record ${i} outside 0..9`, file, `offset ${at}`);
    labels[i] = label;
    images.set(bytes.subarray(at + 1, at + CIFAR_RECORD_BYTES), i * CIFAR_IMAGE_BYTES);
  }
  return { images, labels, count };
}

export async function writeCifarBatch(file: string, images: Uint8Array, labels: Uint8Array): Promise<void> {
  const count = labels.length;
  if (images.length !== count * CIFAR_IMAGE_BYTES) {
    throw new DataError(`${images.length} image bytes for ${count} labels (need ${count * CIFAR_IMAGE_BYTES})`, file, 'images');
  }
  const out = Buffer.alloc(count * CIFAR_RECORD_BYTES);
  for (let i = 0; i < count; i++) {
    if (labels[i] >= CIFAR_CLASSES) throw new DataError(`label ${labels[i]} outside 0..9`, file, `labels[${i}]`);
    const at = i * CIFAR_RECORD_BYTES;
    out[at] = labels[i];
    out.set(images.subarray(i * CIFAR_IMAGE_BYTES, (i + 1) * CIFAR_IMAGE_BYTES), at + 1);
  }
  await writeFile(file, out);
}

export function cifarBatchFileNames(split: 'train' | 'test'): string[] {
  return split === 'train' ? [1, 2, 3, 4, 5].map((n) => `data_batch_${n}.bin`) : ['test_batch.bin'];
}

/** Concatenates the batches that exist, in numeric order, so runs are reproducible. */
export async function loadCifar10(dir: string, split: 'train' | 'test', read?: ReadFile): Promise<CifarBatch> {
  const files = cifarBatchFileNames(split)
    .map((n) => path.join(dir, n))
    .filter((f) => existsSync(f));
  if (files.length === 0) {
    throw new DataError(`no CIFAR-10 ${split} batch found (${cifarBatchFileNames(split).join(', ')})`, dir);
  }
  const batches = await Promise.all(files.map((f) => readCifarBatch(f, read)));
  const count = batches.reduce((n, b) => n + b.count, 0);
  const images = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * CIFAR_IMAGE_BYTES);
    labels.set(b.labels, at);
    at += b.count;
  }
  return { images, labels, count };
}
