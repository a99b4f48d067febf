/**
 * Prepare for the Power pipeline: UCI household power files (`;`-separated, `?` = missing) up to the
 * training date → hourly means → lag / rolling / calendar features (each using data up to t only)
 * → target = consumption `horizonHours` later → chronological train / validation / test split.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { generatePowerText, parsePowerText, PowerReading, powerFeatures, resampleHourly } from '../../data/power';
import { DataError } from '../../data/errors';
import type { StoredArray } from '../../data/arrays';
import type { DataSource, PreparedData, StageRequest } from '../../workflows/shared/types';
import type { ActivityDeps } from '../deps';
import { preparedOnce } from './prepared-once';
import { rawFilesIn, syntheticFileOnce, windowMs } from './raw-files';

const HOUR = 3_600_000;
const SYNTHETIC_START = Date.UTC(2026, 0, 1);
const SYNTHETIC_DAYS = { tiny: 60, small: 365 };
const SPLIT = { train: 0.7, validation: 0.15 };

async function powerFiles(dataRoot: string, source: DataSource = { kind: 'files' }): Promise<{ files: string[]; dataset: string }> {
  if (source.kind === 'synthetic') {
    const size = source.size ?? 'tiny';
    const dataset = `synthetic-power-${size}-seed${source.seed ?? 1}`;
    const file = await syntheticFileOnce(dataRoot, dataset, 'household_power_consumption.txt', (tmp) =>
      fs.writeFile(tmp, generatePowerText({ start: new Date(SYNTHETIC_START), days: SYNTHETIC_DAYS[size], seed: source.seed ?? 1 })),
    );
    return { files: [file], dataset };
  }
  const dir = source.dir ?? path.join('raw', 'power');
  return { files: await rawFilesIn(dataRoot, dir, '.txt', 'UCI household power files'), dataset: `power-${path.basename(dir)}` };
}

export function powerPrepareActivities(deps: ActivityDeps) {
  return {
    async preparePower(req: StageRequest): Promise<PreparedData> {
      const { files, dataset } = await powerFiles(deps.dataRoot, req.input.source);
      const window = windowMs(req.input.window) ?? { start: -Infinity, end: Infinity };
      const horizon = Number(req.params.horizonHours);
      return preparedOnce(deps, req, {
        dataset,
        rawFiles: files,
        settings: { window: req.input.window ?? null, horizon, split: SPLIT },
        build: async () => {
          const readings: PowerReading[] = [];
          let malformed = 0;
          for (const file of files) {
            const parsed = parsePowerText(await fs.readFile(file, 'utf8'), file);
            malformed += parsed.malformed.length;
            // The training window ends at the training date: nothing at or after it is read.
            for (const r of parsed.readings) if (r.ts >= window.start && r.ts < window.end) readings.push(r);
          }
          if (readings.length === 0) throw new DataError('no readings inside the training window', files.join(', '));
          readings.sort((a, b) => a.ts - b.ts);
          return buildPowerArrays(resampleHourly(readings), horizon, malformed);
        },
      });
    },
  };
}

function buildPowerArrays(series: { ts: number; value: number }[], horizon: number, malformed: number) {
  const features = powerFeatures(series, { horizon });
  const valueAt = new Map(series.map((p) => [p.ts, p.value]));
  const n = features.rows.length;
  const nTrain = Math.floor(n * SPLIT.train);
  const nVal = Math.floor(n * SPLIT.validation);
  if (n - nTrain - nVal < 24) throw new DataError(`only ${n} hourly rows with full history; need more days of data`, 'power');
  const width = features.names.length;
  const slice = (from: number, to: number) => ({
    x: { shape: [to - from, width], data: Float32Array.from(features.rows.slice(from, to).flat()) },
    y: { shape: [to - from], data: Float32Array.from(features.targets.slice(from, to)) },
  });
  const train = slice(0, nTrain);
  const val = slice(nTrain, nTrain + nVal);
  const test = slice(nTrain + nVal, n);
  // Seasonal-naive baseline: the target hour's value one day earlier (known at prediction time when horizon ≤ 24).
  const naive = features.times.slice(nTrain + nVal).map((t) => valueAt.get(t + horizon * HOUR - 24 * HOUR) ?? NaN);
  const arrays: Record<string, StoredArray> = {
    x_train: train.x,
    y_train: train.y,
    x_val: val.x,
    y_val: val.y,
    x_test: test.x,
    y_test: test.y,
    naive_test: { shape: [naive.length], data: Float32Array.from(naive) },
  };
  return { arrays, info: { features: features.names, hours: series.length, malformedRows: malformed, testStart: features.times[nTrain + nVal] } };
}
