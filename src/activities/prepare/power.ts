/**
 * Prepare for the Power pipeline: UCI household power files (`;`-separated, `?` = missing) up to the
 * training date → hourly means → lag / rolling / calendar features (each using data up to t only)
 * → target = consumption `horizonHours` later → chronological train / validation / test split.
 */
import { rawDir } from '../../data/layout';
import path from 'node:path';
import { log } from '@temporalio/activity';
import { generatePowerText, parsePowerText, PowerReading, powerFeatures, resampleHourly } from '../../data/power';
import { DataError } from '../../data/errors';
import type { StoredArray } from '../../data/arrays';
import { paramsOf, type DataSource, type PipelineInput, type PreparedData, type StageRequest } from '../../workflows/shared/types';
import type { ActivityDeps } from '../deps';
import { preparedOnce } from './prepared-once';
import { DataRoot } from '../../data/paths';
import { rawFilesIn, sourceDir, syntheticSet, syntheticSetOnce, windowMs } from './raw-files';

const HOUR = 3_600_000;
const SYNTHETIC_START = Date.UTC(2026, 0, 1);
const SYNTHETIC_DAYS = { tiny: 60, small: 365 };
const SPLIT = { train: 0.7, validation: 0.15 };

const SYNTHETIC_FILE = 'household_power_consumption.txt';

async function powerFiles(root: DataRoot, source: DataSource = { kind: 'files' }): Promise<{ files: string[]; dataset: string }> {
  if (source.kind === 'synthetic') {
    const set = syntheticSet('power', source);
    const text = () => generatePowerText({ start: new Date(SYNTHETIC_START), days: SYNTHETIC_DAYS[set.size], seed: set.seed });
    const dir = await syntheticSetOnce(root, set.name, (tmp) => root.writeFile(path.join(tmp, SYNTHETIC_FILE), text()).then(() => undefined));
    return { files: [await root.file(path.join(dir, SYNTHETIC_FILE))], dataset: set.name };
  }
  const dir = sourceDir(source, rawDir('power'));
  return { files: await rawFilesIn(root, dir, '.txt', 'UCI household power files'), dataset: `power-${path.basename(dir)}` };
}

const DAY = 24 * HOUR;

/** The training window: ends at the training date (or window end); starts `historyDays` earlier (0 = all history). */
export function powerWindow(input: PipelineInput, historyDays: number): { start: number; end: number } {
  const window = windowMs(input.window) ?? { start: -Infinity, end: Infinity };
  if (input.trainingDate !== undefined) {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trainingDate);
    const end = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : NaN;
    if (!Number.isFinite(end)) throw new DataError(`trainingDate '${input.trainingDate}' is not a YYYY-MM-DD date`, 'input.trainingDate');
    window.end = end;
  }
  if (historyDays > 0 && Number.isFinite(window.end)) window.start = Math.max(window.start, window.end - historyDays * DAY);
  return window;
}

/** Lags (in buckets) counted back from the target: the latest values, the same time yesterday and a week ago. */
function lagsFor(horizon: number, bucketMs: number): number[] {
  const day = Math.round(DAY / bucketMs);
  return [...new Set([horizon, horizon + 1, horizon + 2, Math.max(day, horizon), Math.max(7 * day, horizon)])].sort((a, b) => a - b);
}

export function powerPrepareActivities(deps: ActivityDeps) {
  return {
    async preparePower(req: StageRequest): Promise<PreparedData> {
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const { files, dataset } = await powerFiles(root, req.input.source);
      const params = paramsOf(req, 'power');
      const window = powerWindow(req.input, params.historyDays);
      const bucketMs = params.bucketMinutes * 60_000;
      const horizon = params.horizonSteps;
      let report: PowerReport | undefined;
      const prepared = await preparedOnce(root, deps, req, {
        dataset,
        rawFiles: files,
        settings: { window: [window.start, window.end].map(String), bucketMs, horizon, split: SPLIT },
        build: async () => {
          const readings: PowerReading[] = [];
          report = { malformed: [], implausible: [], missingReadings: 0, duplicateTimestamps: 0, backwardTimestamps: 0 };
          for (const file of files) {
            const parsed = parsePowerText(await root.readText(file), file, { limits: root.limits });
            const name = path.basename(file);
            report.malformed.push(...parsed.malformed.map((m) => ({ file: name, ...m })));
            report.implausible.push(...parsed.implausible.map((m) => ({ file: name, ...m })));
            report.missingReadings += parsed.missing;
            report.duplicateTimestamps += parsed.duplicateTimestamps;
            report.backwardTimestamps += parsed.backwardTimestamps;
            // Nothing at or after the window's end (the training date) is read: no look-ahead across partitions.
            for (const r of parsed.readings) if (r.ts >= window.start && r.ts < window.end) readings.push(r);
          }
          if (readings.length === 0) throw new DataError('no readings inside the training window', files.join(', '));
          readings.sort((a, b) => a.ts - b.ts);
          return buildPowerArrays(resampledOrExplained(readings, bucketMs, files, root.limits.maxSeriesPoints), horizon, bucketMs);
        },
      });
      if (report) await logPowerReport(deps, req, report);
      return prepared;
    },
  };
}

interface PowerReport {
  malformed: { file: string; line: number; reason: string }[];
  implausible: { file: string; line: number; reason: string }[];
  missingReadings: number;
  duplicateTimestamps: number;
  backwardTimestamps: number;
}

/** Skipped rows (below the parser's limit) and odd timestamps are recorded, so nothing is dropped or merged silently. */
async function logPowerReport(deps: ActivityDeps, req: StageRequest, report: PowerReport): Promise<void> {
  await deps.mlflow.logMetrics(req.run.runId, {
    prepare_malformed_rows: report.malformed.length,
    prepare_implausible_rows: report.implausible.length,
    prepare_missing_readings: report.missingReadings,
    prepare_duplicate_timestamps: report.duplicateTimestamps,
    prepare_backward_timestamps: report.backwardTimestamps,
  });
  if (report.implausible.length || report.duplicateTimestamps || report.backwardTimestamps) {
    log.warn('power input has skipped or reordered rows', {
      implausibleRows: report.implausible.length,
      firstImplausible: report.implausible.slice(0, 3),
      duplicateTimestamps: report.duplicateTimestamps,
      backwardTimestamps: report.backwardTimestamps,
    });
  }
  const skipped = { malformed: report.malformed, implausible: report.implausible };
  for (const [name, rows] of Object.entries(skipped)) {
    if (rows.length) await deps.mlflow.uploadArtifact(req.run.artifactUri, `prepare/${name}_rows.json`, JSON.stringify(rows, null, 1));
  }
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
  return powerFeatures(series, { horizon, lags: lagsFor(horizon, bucketMs), rolling: [3, Math.round(DAY / bucketMs)], ...opts });
}

function buildPowerArrays(series: { ts: number; value: number }[], horizon: number, bucketMs: number) {
  const features = powerFeatureTable(series, horizon, bucketMs);
  const valueAt = new Map(series.map((p) => [p.ts, p.value]));
  const n = features.rows.length;
  const nTrain = Math.floor(n * SPLIT.train);
  const nVal = Math.floor(n * SPLIT.validation);
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
  const naive = features.times.slice(nTrain + nVal).map((t) => valueAt.get(t + horizon * bucketMs - DAY) ?? NaN);
  const arrays: Record<string, StoredArray> = {
    x_train: train.x,
    y_train: train.y,
    x_val: val.x,
    y_val: val.y,
    x_test: test.x,
    y_test: test.y,
    // Target times in hours since the epoch: exact in float32 (epoch milliseconds would not be).
    t_test: { shape: [n - nTrain - nVal], data: Float32Array.from(features.times.slice(nTrain + nVal), (t) => (t + horizon * bucketMs) / HOUR) },
    naive_test: { shape: [naive.length], data: Float32Array.from(naive) },
  };
  return {
    arrays,
    info: { features: features.names, buckets: series.length, bucketMs, firstTime: series[0]?.ts, lastTime: series[series.length - 1]?.ts },
  };
}
