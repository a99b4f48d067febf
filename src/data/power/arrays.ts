/**
 * Parsed power files → the Power model's arrays: readings inside the training window (nothing at or after its end,
 * the training date, so no look-ahead across partitions) → buckets → lag / rolling / calendar features → target =
 * consumption `horizon` buckets later → chronological train / validation / test split. Pure: the prepare activity
 * reads the files and writes the result; prediction inputs reuse `powerFeatureTable`.
 */
import path from 'node:path';
import type { StoredArray } from '../arrays';
import { DataError } from '../errors';
import { powerFeatures } from './features';
import type { ParsedPower } from './parse';
import { resampleHourly } from './resample';
import { DAY_MS, HOUR_MS, PowerReading } from './types';

export const POWER_SPLIT = { train: 0.7, validation: 0.15 };

export interface PowerReport {
  malformed: { file: string; line: number; reason: string }[];
  implausible: { file: string; line: number; reason: string }[];
  missingReadings: number;
  duplicateTimestamps: number;
  backwardTimestamps: number;
}

/** Readings of all files so far, and what their parsing skipped or found odd. */
export interface PowerInput {
  readings: PowerReading[];
  report: PowerReport;
}

export function emptyPowerInput(): PowerInput {
  return { readings: [], report: { malformed: [], implausible: [], missingReadings: 0, duplicateTimestamps: 0, backwardTimestamps: 0 } };
}

/** Adds one parsed file: its report (rows named by file), and its readings inside [window.start, window.end). */
export function addPowerFile(into: PowerInput, file: string, parsed: ParsedPower, window: { start: number; end: number }): void {
  const { report } = into;
  const name = path.basename(file);
  report.malformed.push(...parsed.malformed.map((m) => ({ file: name, ...m })));
  report.implausible.push(...parsed.implausible.map((m) => ({ file: name, ...m })));
  report.missingReadings += parsed.missing;
  report.duplicateTimestamps += parsed.duplicateTimestamps;
  report.backwardTimestamps += parsed.backwardTimestamps;
  // Nothing at or after the window's end (the training date) is read: no look-ahead across partitions.
  for (const r of parsed.readings) if (r.ts >= window.start && r.ts < window.end) into.readings.push(r);
}

/** Lags (in buckets) counted back from the target: the latest values, the same time yesterday and a week ago. */
function lagsFor(horizon: number, bucketMs: number): number[] {
  const day = Math.round(DAY_MS / bucketMs);
  return [...new Set([horizon, horizon + 1, horizon + 2, Math.max(day, horizon), Math.max(7 * day, horizon)])].sort((a, b) => a - b);
}

/** Resampling sees merged readings; when a whole day is missing, say which files were read. */
function resampledOrExplained(readings: PowerReading[], bucketMs: number, files: string[], maxPoints: number) {
  try {
    return resampleHourly(readings, bucketMs, maxPoints);
  } catch (err) {
    if (err instanceof DataError) throw new DataError(`${err.message} (in ${files.map((f) => path.basename(f)).join(', ')})`, path.dirname(files[0]));
    throw err;
  }
}

/** The model's features for an hourly (bucketed) series; predictions also get the latest rows, whose target is unknown. */
export function powerFeatureTable(series: { ts: number; value: number }[], horizon: number, bucketMs: number, opts: { includeUnlabeled?: boolean } = {}) {
  return powerFeatures(series, { horizon, lags: lagsFor(horizon, bucketMs), rolling: [3, Math.round(DAY_MS / bucketMs)], ...opts });
}

/**
 * The prepared arrays: readings sorted and resampled into buckets, features, and a chronological
 * train/validation/test split, plus the seasonal-naive baseline and target times of the test rows.
 */
export function buildPowerArrays(input: PowerInput, files: string[], opts: { bucketMs: number; horizon: number; maxSeriesPoints: number }) {
  const { bucketMs, horizon } = opts;
  if (input.readings.length === 0) throw new DataError('no readings inside the training window', files.join(', '));
  input.readings.sort((a, b) => a.ts - b.ts);
  const series = resampledOrExplained(input.readings, bucketMs, files, opts.maxSeriesPoints);
  const features = powerFeatureTable(series, horizon, bucketMs);
  const valueAt = new Map(series.map((p) => [p.ts, p.value]));
  const n = features.rows.length;
  const nTrain = Math.floor(n * POWER_SPLIT.train);
  const nVal = Math.floor(n * POWER_SPLIT.validation);
  if (n - nTrain - nVal < 24) throw new DataError(`only ${n} rows with full history in the training window; need more days of data`, 'power');
  const width = features.names.length;
  const slice = (from: number, to: number) => ({
    x: { shape: [to - from, width], data: Float32Array.from(features.rows.slice(from, to).flat()) },
    y: { shape: [to - from], data: Float32Array.from(features.targets.slice(from, to)) },
  });
  const train = slice(0, nTrain);
  const val = slice(nTrain, nTrain + nVal);
  const test = slice(nTrain + nVal, n);
  // Seasonal-naive baseline: the target time's value one day earlier.
  const naive = features.times.slice(nTrain + nVal).map((t) => valueAt.get(t + horizon * bucketMs - DAY_MS) ?? NaN);
  const arrays: Record<string, StoredArray> = {
    x_train: train.x,
    y_train: train.y,
    x_val: val.x,
    y_val: val.y,
    x_test: test.x,
    y_test: test.y,
    // Target times in hours since the epoch: exact in float32 (epoch milliseconds would not be).
    t_test: { shape: [n - nTrain - nVal], data: Float32Array.from(features.times.slice(nTrain + nVal), (t) => (t + horizon * bucketMs) / HOUR_MS) },
    naive_test: { shape: [naive.length], data: Float32Array.from(naive) },
  };
  return {
    arrays,
    info: { features: features.names, buckets: series.length, bucketMs, firstTime: series[0]?.ts, lastTime: series[series.length - 1]?.ts },
  };
}
