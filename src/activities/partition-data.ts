/**
 * What a partition's input needs before prepare can start, and which of it is not there yet (the data sensor,
 * src/workflows/shared/data-sensor.ts, polls this). "Complete" per pipeline, for a files source:
 *   tick     one file per UTC day the window touches, named by the date: `<dir>/YYYY-MM-DD.csv` (or `.parquet`)
 *   power    a `.txt` file in `<dir>` whose last reading lies within the hour before the partition's end
 *            (the training date's 00:00 UTC, or window.end): the UCI export that covers the window
 *   mnist    the four IDX files (or their .gz); cifar10: the six CIFAR-10 binary batches
 * Synthetic sources are generated on demand and always ready. Everything is looked up through the DataRoot.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { rawDir } from '../data/layout';
import { DataRoot } from '../data/paths';
import { cifarBatchFileNames } from '../data/cifar';
import { MNIST_FILES } from './prepare/vision';
import { sourceDir, windowMs } from './prepare/raw-files';
import type { ActivityDeps } from './deps';
import type { PipelineName, ValidInput } from '../workflows/shared/types';

export interface PartitionDataRequest {
  pipeline: PipelineName;
  input: ValidInput;
}

export interface PartitionDataStatus {
  /** Expected files not there yet, relative to the data root (power: a description of the file it waits for). */
  missing: string[];
  /** How many files the partition needs, for "N of M missing". */
  expected: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The partition's end: the start of the training date (UTC), else the window's end. */
function partitionEnd(input: ValidInput): number | undefined {
  if (input.trainingDate) return Date.parse(`${input.trainingDate}T00:00:00Z`);
  return windowMs(input.window)?.end;
}

/** Every UTC day in [start, end): the dates of the tick files a window needs. */
export function daysOfWindow(start: number, end: number): string[] {
  const days: string[] = [];
  for (let day = Math.floor(start / DAY_MS) * DAY_MS; day < end; day += DAY_MS) days.push(isoDay(day));
  return days;
}

async function missingTickDays(root: DataRoot, dir: string, input: ValidInput): Promise<PartitionDataStatus> {
  const window = windowMs(input.window) ?? (input.trainingDate ? { start: partitionEnd(input)! - DAY_MS, end: partitionEnd(input)! } : undefined);
  if (!window) return { missing: [], expected: 0 };
  const days = daysOfWindow(window.start, window.end);
  const missing: string[] = [];
  for (const day of days) {
    const present = await root.existingFiles(dir, [`${day}.csv`, `${day}.parquet`]);
    if (present.length === 0) missing.push(path.join(dir, `${day}.csv`));
  }
  return { missing, expected: days.length };
}

/** The timestamp of a UCI file's last reading: only its tail is read (the full export is ~130 MB). */
async function lastPowerReading(file: string): Promise<number | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 4096);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString('latin1').split('\n').map((l) => l.trim()).filter(Boolean);
    // `d/m/yyyy;hh:mm:ss;…`: the same columns the prepare stage parses.
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4});(\d{1,2}):(\d{2}):(\d{2})/.exec(lines[lines.length - 1] ?? '');
    if (!m) return undefined;
    const [day, month, year, h, mi, s] = m.slice(1).map(Number);
    return Date.UTC(year, month - 1, day, h, mi, s);
  } finally {
    await handle.close();
  }
}

async function missingPowerCoverage(root: DataRoot, dir: string, input: ValidInput): Promise<PartitionDataStatus> {
  const end = partitionEnd(input);
  if (end === undefined) return { missing: [], expected: 0 };
  for (const file of await root.list(dir, ['.txt'])) {
    const last = await lastPowerReading(file);
    if (last !== undefined && last >= end - HOUR_MS) return { missing: [], expected: 1 };
  }
  return { missing: [`${path.join(dir, '*.txt')} with readings through ${new Date(end - 60_000).toISOString().slice(0, 16)}Z`], expected: 1 };
}

async function missingNamedFiles(root: DataRoot, dir: string, names: string[], alternatives: (name: string) => string[]): Promise<PartitionDataStatus> {
  const missing: string[] = [];
  for (const name of names) {
    if ((await root.existingFiles(dir, alternatives(name))).length === 0) missing.push(path.join(dir, name));
  }
  return { missing, expected: names.length };
}

export function partitionDataActivities(deps: Pick<ActivityDeps, 'dataRoot' | 'limits'>) {
  return {
    async checkPartitionData({ pipeline, input }: PartitionDataRequest): Promise<PartitionDataStatus> {
      if (input.source?.kind === 'synthetic') return { missing: [], expected: 0 };
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const dir = sourceDir(input.source, rawDir(pipeline === 'tick' ? 'ticks' : pipeline));
      switch (pipeline) {
        case 'tick':
          return missingTickDays(root, dir, input);
        case 'power':
          return missingPowerCoverage(root, dir, input);
        case 'mnist':
          return missingNamedFiles(root, dir, MNIST_FILES, (f) => [f, `${f}.gz`]);
        case 'cifar10':
          return missingNamedFiles(root, dir, [...cifarBatchFileNames('train'), ...cifarBatchFileNames('test')], (f) => [f]);
      }
    },
  };
}
