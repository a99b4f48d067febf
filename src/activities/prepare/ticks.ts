/**
 * Prepare for the Tick pipeline: ticks (CSV or Parquet) in the requested window → cleaning (counts logged) → OHLCV bars
 * → features → chronological train/validation/test split per symbol → scaling fitted on train only
 * → sequences of `sequenceLength` bars predicting the next bar's log return.
 */
import { rawDir } from '../../data/layout';
import path from 'node:path';
import pl from 'nodejs-polars';
import { Bar, BAR_FEATURE_NAMES, barFeatures, CleaningReport, generateTicks, readTicks, toBars, writeTicksCsv } from '../../data/ticks';
import { DataError } from '../../data/errors';
import { applyScaler, fitStandardScaler } from '../../data/split';
import type { StoredArray } from '../../data/arrays';
import type { InputScaling } from '../../models/training/preprocessing';
import { paramsOf, type DataSource, type PreparedData, type StageRequest } from '../../workflows/shared/types';
import type { ActivityDeps } from '../deps';
import { preparedOnce } from './prepared-once';
import { DataRoot } from '../../data/paths';
import { rawFilesIn, sourceDir, syntheticSet, syntheticSetOnce, windowMs } from './raw-files';

/** Default window of the synthetic data: one trading week. */
const SYNTHETIC_START = Date.UTC(2026, 0, 5);
const SYNTHETIC_DAYS = { tiny: 5, small: 20 };
const TICKS_PER_DAY = { tiny: 6000, small: 20000 };
const SPLIT = { train: 0.7, validation: 0.15 };
/** Bars one symbol needs before its train split holds a feature row: 34 of indicator warm-up, then 3 (rows = bars - 35, 70% of 2 is 1). */
const MIN_BARS_FOR_FEATURES = 37;

async function tickFiles(root: DataRoot, source: DataSource = { kind: 'files' }): Promise<{ files: string[]; dataset: string }> {
  if (source.kind === 'synthetic') {
    const set = syntheticSet('tick', source);
    const ticks = () =>
      generateTicks({ symbols: ['AAA', 'BBB'], start: new Date(SYNTHETIC_START), days: SYNTHETIC_DAYS[set.size], ticksPerDay: TICKS_PER_DAY[set.size], seed: set.seed, momentum: source.momentum });
    const dir = await syntheticSetOnce(root, set.name, (tmp) => writeTicksCsv(path.join(tmp, 'ticks.csv'), ticks()));
    return { files: [await root.file(path.join(dir, 'ticks.csv'))], dataset: set.name };
  }
  const dir = sourceDir(source, rawDir('ticks'));
  const files = await rawFilesIn(root, dir, ['.csv', '.parquet'], 'tick files (columns timestamp,symbol,price,size)');
  return { files, dataset: `ticks-${path.basename(dir)}` };
}

/**
 * Dropping a few bad ticks is cleaning; dropping many means the feed is broken, and training on what is
 * left would be training on the wrong data. Rows outside the window are not dirty.
 */
function assertCleanEnough(file: string, r: CleaningReport, maxFraction: number): void {
  const inWindow = r.rows - r.outsideWindow;
  const dirty = r.nonPositive + r.duplicates + r.outOfOrder + r.outliers;
  if (inWindow > 0 && dirty / inWindow > maxFraction) {
    throw new DataError(
      `${dirty} of ${inWindow} ticks in the window are unusable (${r.nonPositive} non-positive or NaN price/size, ${r.duplicates} duplicates, ` +
        `${r.outOfOrder} out of order, ${r.outliers} outliers): more than the allowed ${(maxFraction * 100).toFixed(1)}% (param maxDirtyFraction)`,
      file,
    );
  }
}

function addReports(a: CleaningReport, b: CleaningReport): CleaningReport {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof CleaningReport)[]) out[key] += b[key];
  return out;
}

/** Rolling windows of `length` rows ending at each index ≥ length-1, flattened to [n, length, features]. */
function sequences(rows: number[][], targets: number[], lastReturns: number[], length: number) {
  const width = rows[0]?.length ?? 0;
  const n = Math.max(0, rows.length - length + 1);
  const x = new Float32Array(n * length * width);
  const y = new Float32Array(n);
  const last = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < length; t++) x.set(rows[i + t], (i * length + t) * width);
    y[i] = targets[i + length - 1];
    last[i] = lastReturns[i + length - 1];
  }
  return { x, y, last, n, width };
}

export function tickPrepareActivities(deps: ActivityDeps) {
  return {
    async prepareTicks(req: StageRequest): Promise<PreparedData> {
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const { files, dataset } = await tickFiles(root, req.input.source);
      const window = windowMs(req.input.window);
      const params = paramsOf(req, 'tick');
      const sequenceLength = params.sequenceLength;
      const intervalMs = params.barIntervalSec * 1000;
      let report: CleaningReport | undefined;
      const prepared = await preparedOnce(root, deps, req, {
        dataset,
        rawFiles: files,
        // The feature list is part of the key, so prepared data made before a feature change is not reused.
        settings: { window, sequenceLength, intervalMs, split: SPLIT, features: BAR_FEATURE_NAMES },
        build: async () => {
          const frames: pl.DataFrame[] = [];
          for (const file of files) {
            const read = await readTicks(file, window, { limits: root.limits });
            assertCleanEnough(file, read.report, params.maxDirtyFraction);
            frames.push(read.frame);
            report = report ? addReports(report, read.report) : read.report;
          }
          const ticks = frames.length === 1 ? frames[0] : pl.concat(frames);
          if (ticks.height === 0) {
            throw new DataError(`no usable ticks in window ${req.input.window ? `${req.input.window.start} – ${req.input.window.end}` : '(all)'}`, files.join(', '));
          }
          return buildTickArrays(await toBars(ticks, intervalMs), sequenceLength, report!, files);
        },
      });
      if (report) await deps.mlflow.logMetrics(req.run.runId, Object.fromEntries(Object.entries(report).map(([k, v]) => [`clean_${k}`, v])));
      return prepared;
    },
  };
}

function buildTickArrays(bars: Bar[], sequenceLength: number, report: CleaningReport, files: string[]) {
  const symbols = [...new Set(bars.map((b) => b.symbol))].sort();
  type Part = { rows: number[][]; targets: number[] };
  const parts: Record<'train' | 'val' | 'test', Part[]> = { train: [], val: [], test: [] };
  let names: string[] = [];
  for (const symbol of symbols) {
    const f = barFeatures(bars.filter((b) => b.symbol === symbol));
    names = f.names;
    const n = f.rows.length;
    const nTrain = Math.floor(n * SPLIT.train);
    const nVal = Math.floor(n * SPLIT.validation);
    // Split in time order per symbol: validation and test always lie after training data.
    parts.train.push({ rows: f.rows.slice(0, nTrain), targets: f.targets.slice(0, nTrain) });
    parts.val.push({ rows: f.rows.slice(nTrain, nTrain + nVal), targets: f.targets.slice(nTrain, nTrain + nVal) });
    parts.test.push({ rows: f.rows.slice(nTrain + nVal), targets: f.targets.slice(nTrain + nVal) });
  }
  const trainRows = parts.train.flatMap((p) => p.rows);
  if (trainRows.length === 0) {
    // Indicators need a warm-up of bars (MACD's signal: 34) before the first feature row exists.
    throw new DataError(
      `too few bars (${bars.length} from ${report.kept} ticks) in the window to compute features: each symbol needs at least ${MIN_BARS_FOR_FEATURES} bars of the bar interval`,
      files.join(', '),
    );
  }
  const scaler = fitStandardScaler(trainRows);
  const trainTargets = parts.train.flatMap((p) => p.targets);
  const targetScale = Math.sqrt(trainTargets.reduce((a, b) => a + b * b, 0) / Math.max(1, trainTargets.length)) || 1;
  const returnIndex = names.indexOf('log_return');

  const arrays: Record<string, StoredArray> = {};
  for (const split of ['train', 'val', 'test'] as const) {
    const seqs = parts[split]
      .filter((p) => p.rows.length >= sequenceLength)
      .map((p) => sequences(applyScaler(p.rows, scaler), p.targets.map((t) => t / targetScale), p.rows.map((r) => r[returnIndex]), sequenceLength));
    const n = seqs.reduce((a, s) => a + s.n, 0);
    if (n === 0) {
      throw new DataError(`too few bars (${bars.length}) in the window for the ${split} split with sequences of ${sequenceLength} bars`, files.join(', '));
    }
    const width = seqs[0].width;
    const concat = (pick: (s: (typeof seqs)[number]) => Float32Array) => {
      const out = new Float32Array(seqs.reduce((a, s) => a + pick(s).length, 0));
      let offset = 0;
      for (const s of seqs) {
        out.set(pick(s), offset);
        offset += pick(s).length;
      }
      return out;
    };
    arrays[`x_${split}`] = { shape: [n, sequenceLength, width], data: concat((s) => s.x) };
    arrays[`y_${split}`] = { shape: [n], data: concat((s) => s.y) };
    if (split === 'test') arrays.last_return_test = { shape: [n], data: concat((s) => s.last) };
  }
  // The scaling travels with the trained model (preprocessing.json), so another window's data can be fed to it.
  const inputScaling: InputScaling = { mean: scaler.mean, std: scaler.std, targetScale };
  return { arrays, info: { features: names, symbols, targetScale, bars: bars.length, cleaning: report, inputScaling } };
}
