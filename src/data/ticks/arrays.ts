/**
 * Bars → the Tick model's arrays: features per symbol, a chronological train/validation/test split per symbol, scaling
 * fitted on train only, and sequences of `sequenceLength` bars predicting the next bar's (scaled) log return. Pure:
 * the prepare activity reads the tick files and writes the result.
 */
import type { StoredArray } from '../arrays';
import { DataError } from '../errors';
import { applyScaler, fitStandardScaler } from '../split';
import type { InputScaling } from '../../models/training/preprocessing';
import { barFeatures } from './features';
import type { Bar, CleaningReport } from './types';

export const TICK_SPLIT = { train: 0.7, validation: 0.15 };
/** Bars one symbol needs before its train split holds a feature row: 34 of indicator warm-up, then 3 (rows = bars - 35, 70% of 2 is 1). */
const MIN_BARS_FOR_FEATURES = 37;

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

export function buildTickArrays(bars: Bar[], sequenceLength: number, report: CleaningReport, files: string[]) {
  const symbols = [...new Set(bars.map((b) => b.symbol))].sort();
  type Part = { rows: number[][]; targets: number[] };
  const parts: Record<'train' | 'val' | 'test', Part[]> = { train: [], val: [], test: [] };
  let names: string[] = [];
  for (const symbol of symbols) {
    const f = barFeatures(bars.filter((b) => b.symbol === symbol));
    names = f.names;
    const n = f.rows.length;
    const nTrain = Math.floor(n * TICK_SPLIT.train);
    const nVal = Math.floor(n * TICK_SPLIT.validation);
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
