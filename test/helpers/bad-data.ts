/**
 * Small raw-data fixtures for the bad-input tests: each writer builds a VALID file set in the pipeline's format
 * (with the project's own writers/generators), and each corruption then breaks one thing in it. Sizes are tiny
 * on purpose: the files only need to reach the validation that rejects them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeIdx } from '../../src/data/idx';
import { CIFAR_IMAGE_BYTES, CIFAR_RECORD_BYTES, writeCifarBatch } from '../../src/data/cifar';
import { generateTicks, writeTicksCsv } from '../../src/data/ticks';
import { generatePowerText } from '../../src/data/power';

export const MNIST_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Byte offset of item i's label in an IDX labels file (4 magic bytes + one uint32 dim). */
export const idxLabelOffset = (i: number) => 8 + i;

/** A valid MNIST set: `train` and `test` blank 28x28 images with labels i % 10. Returns the folder. */
export async function writeMnistSet(dir: string, opts: { train?: number; test?: number; gzip?: boolean } = {}): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const suffix = opts.gzip ? '.gz' : '';
  for (const [prefix, count] of [['train', opts.train ?? 20], ['t10k', opts.test ?? 10]] as const) {
    await writeIdx(path.join(dir, `${prefix}-images-idx3-ubyte${suffix}`), [count, 28, 28], new Uint8Array(count * 28 * 28), { gzip: opts.gzip });
    await writeIdx(path.join(dir, `${prefix}-labels-idx1-ubyte${suffix}`), [count], Uint8Array.from({ length: count }, (_, i) => i % 10), { gzip: opts.gzip });
  }
  return dir;
}

/** Overwrites bytes of a (plain, not gzipped) file at the given offset. */
export async function patchBytes(file: string, offset: number, bytes: number[]): Promise<void> {
  const data = await fs.readFile(file);
  Buffer.from(bytes).copy(data, offset);
  await fs.writeFile(file, data);
}

/** Gunzips, patches and re-gzips a `.gz` file: the offset is in the decompressed bytes. */
export async function patchGzippedBytes(file: string, offset: number, bytes: number[]): Promise<void> {
  const data = gunzipSync(await fs.readFile(file));
  Buffer.from(bytes).copy(data, offset);
  await fs.writeFile(file, gzipSync(data));
}

export const CIFAR_NAMES = { train: 'data_batch_1.bin', test: 'test_batch.bin' } as const;

/** A valid CIFAR-10 set: data_batch_1.bin (`train` records) and test_batch.bin (`test` records). */
export async function writeCifarSet(dir: string, opts: { train?: number; test?: number } = {}): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, count] of [[CIFAR_NAMES.train, opts.train ?? 4], [CIFAR_NAMES.test, opts.test ?? 2]] as const) {
    await writeCifarBatch(path.join(dir, name), new Uint8Array(count * CIFAR_IMAGE_BYTES), Uint8Array.from({ length: count }, (_, i) => i % 10));
  }
  return dir;
}

/** Byte offset of record i (its label byte) in a CIFAR batch. */
export const cifarRecordOffset = (i: number) => i * CIFAR_RECORD_BYTES;

/** Cuts `bytes` bytes off the end of a file. */
export async function truncateBy(file: string, bytes: number): Promise<number> {
  const { size } = await fs.stat(file);
  await fs.truncate(file, size - bytes);
  return size - bytes;
}

/** Ticks of one trading session (2026-01-05, a Monday, 14:30–21:00 UTC) for symbol AAA. */
export const TICKS_DAY = { start: '2026-01-05T00:00:00.000Z', end: '2026-01-06T00:00:00.000Z' };

/** A valid ticks CSV `ticks.csv` in `dir` (header + `count` rows of one session). Returns the file. */
export async function writeTicksFile(dir: string, count = 400, seed = 7): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'ticks.csv');
  await writeTicksCsv(file, generateTicks({ symbols: ['AAA'], start: new Date(TICKS_DAY.start), days: 1, ticksPerDay: count, seed }));
  return file;
}

/**
 * Rewrites data rows of a CSV/TXT file: `edit(fields, row)` gets the split fields of data row `row` (0-based,
 * file line row + 2) and returns the new line, or undefined to keep it. Returns the 1-based line numbers changed.
 */
export async function editRows(file: string, separator: string, edit: (fields: string[], row: number) => string | undefined): Promise<number[]> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  const changed: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const next = edit(lines[i].split(separator), i - 1);
    if (next !== undefined && next !== lines[i]) {
      lines[i] = next;
      changed.push(i + 1);
    }
  }
  await fs.writeFile(file, lines.join('\n'));
  return changed;
}

/** Replaces the first line of a file. */
export async function replaceHeader(file: string, header: string): Promise<void> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  lines[0] = header;
  await fs.writeFile(file, lines.join('\n'));
}

/** Power data starts here: 2026-01-01 00:00 UTC, one row per minute, no outages (so only our edits are bad). */
export const POWER_START = Date.UTC(2026, 0, 1);

/** A valid UCI power file `power.txt` of `days` days in `dir`. Returns the file. */
export async function writePowerFile(dir: string, days = 3, seed = 5): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'power.txt');
  await fs.writeFile(file, generatePowerText({ start: new Date(POWER_START), days, seed, gapProbability: 0 }));
  return file;
}
