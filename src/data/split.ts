/**
 * Splits and scaling. Time series are split in order (never shuffled) so validation and test
 * lie strictly after training; scalers are fitted on training rows only and then applied.
 */
import { DataError } from './errors';
import { createRng } from './random';

/**
 * train = first floor(n * train) items, validation = next floor(n * validation), test = rest.
 * The tiny epsilon stops binary rounding (0.29 * 100 = 28.999...) from losing an item.
 */
export function chronologicalSplit<T>(
  items: T[],
  fractions: { train: number; validation: number },
): { train: T[]; validation: T[]; test: T[] } {
  const { train, validation } = fractions;
  if (!(train >= 0) || !(validation >= 0) || train + validation > 1 + 1e-12) {
    throw new RangeError(`fractions must be >= 0 and sum to at most 1, got train ${train}, validation ${validation}`);
  }
  const n = items.length;
  const nTrain = Math.min(n, Math.floor(n * train + 1e-9));
  const nVal = Math.min(n - nTrain, Math.floor(n * validation + 1e-9));
  return {
    train: items.slice(0, nTrain),
    validation: items.slice(nTrain, nTrain + nVal),
    test: items.slice(nTrain + nVal),
  };
}

/** Fisher-Yates permutation of 0..n-1, reproducible from the seed. */
export function seededShuffleIndices(n: number, seed: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  const rng = createRng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = idx[i];
    idx[i] = idx[j];
    idx[j] = tmp;
  }
  return idx;
}

export interface StandardScaler {
  mean: number[];
  std: number[];
}

function checkRows(rows: number[][], width: number, what: string): void {
  rows.forEach((r, i) => {
    if (r.length !== width) throw new DataError(`${what} row has ${r.length} columns, expected ${width}`, undefined, `row ${i}`);
    r.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new DataError(`${what} value ${v} is not finite`, undefined, `row ${i}, column ${j}`);
    });
  });
}

/** Per-column mean and population std; a constant column gets std 1 so it maps to 0, not NaN. */
export function fitStandardScaler(rows: number[][]): StandardScaler {
  if (rows.length === 0) throw new DataError('cannot fit a scaler on zero rows', undefined, 'rows');
  const width = rows[0].length;
  checkRows(rows, width, 'scaler input');
  const mean = new Array<number>(width).fill(0);
  for (const r of rows) for (let j = 0; j < width; j++) mean[j] += r[j];
  for (let j = 0; j < width; j++) mean[j] /= rows.length;
  const std = new Array<number>(width).fill(0);
  for (const r of rows) for (let j = 0; j < width; j++) std[j] += (r[j] - mean[j]) ** 2;
  for (let j = 0; j < width; j++) {
    std[j] = Math.sqrt(std[j] / rows.length);
    if (std[j] === 0) std[j] = 1;
  }
  return { mean, std };
}

export function applyScaler(rows: number[][], scaler: StandardScaler): number[][] {
  checkRows(rows, scaler.mean.length, 'scaled');
  return rows.map((r) => r.map((v, j) => (v - scaler.mean[j]) / scaler.std[j]));
}
