/**
 * Technical indicators on bar series. Each returns an array aligned with its input, NaN where the window is
 * incomplete. Plain loops over a few thousand bars per symbol: exact, hand-checkable, and cheap next to the
 * tick-level work that polars does.
 */
import type { Bar } from './types';

export function sma(values: number[], period: number): number[] {
  checkPeriod(period);
  return values.map((_, i) => {
    if (i < period - 1) return NaN;
    // Direct window sum (not a running sum) so results carry no accumulated rounding drift.
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += values[j];
    return sum / period;
  });
}

/**
 * Exponential moving average, alpha = 2 / (period + 1), seeded with the SMA of the first
 * `period` finite values (leading NaNs, e.g. from another indicator's warm-up, are skipped).
 */
export function ema(values: number[], period: number): number[] {
  checkPeriod(period);
  const out = new Array<number>(values.length).fill(NaN);
  const first = values.findIndex((v) => Number.isFinite(v));
  if (first < 0 || first + period > values.length) return out;
  const alpha = 2 / (period + 1);
  let e = 0;
  for (let j = first; j < first + period; j++) e += values[j];
  e /= period;
  out[first + period - 1] = e;
  for (let i = first + period; i < values.length; i++) {
    e = alpha * values[i] + (1 - alpha) * e;
    out[i] = e;
  }
  return out;
}

/** Wilder's RSI: first averages are plain means of `period` changes, then Wilder smoothing. */
export function rsi(values: number[], period = 14): number[] {
  checkPeriod(period);
  const out = new Array<number>(values.length).fill(NaN);
  if (values.length <= period) return out;
  let gain = 0, loss = 0;
  for (let i = 1; i <= period; i++) {
    const d = values[i] - values[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  out[period] = rsiValue(gain, loss);
  for (let i = period + 1; i < values.length; i++) {
    const d = values[i] - values[i - 1];
    gain = (gain * (period - 1) + Math.max(d, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-d, 0)) / period;
    out[i] = rsiValue(gain, loss);
  }
  return out;
}

/** 100 when there were no losses, 50 for a flat series (no gains either). */
function rsiValue(gain: number, loss: number): number {
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

export function macd(
  values: number[],
  fast = 12,
  slow = 26,
  signalPeriod = 9,
): { macd: number[]; signal: number[]; histogram: number[] } {
  const f = ema(values, fast);
  const s = ema(values, slow);
  const line = values.map((_, i) => f[i] - s[i]);
  const signal = ema(line, signalPeriod);
  return { macd: line, signal, histogram: line.map((v, i) => v - signal[i]) };
}

/**
 * Bollinger bands with the population standard deviation (the usual convention).
 * %B = (value - lower) / (upper - lower); 0.5 when the bands collapse (a constant window),
 * with "constant" judged up to floating-point rounding of the mean.
 */
export function bollinger(
  values: number[],
  period = 20,
  k = 2,
): { middle: number[]; upper: number[]; lower: number[]; percentB: number[] } {
  const middle = sma(values, period);
  const upper: number[] = [], lower: number[] = [], percentB: number[] = [];
  values.forEach((v, i) => {
    const m = middle[i];
    if (Number.isNaN(m)) {
      upper.push(NaN), lower.push(NaN), percentB.push(NaN);
      return;
    }
    let ss = 0;
    for (let j = i - period + 1; j <= i; j++) ss += (values[j] - m) ** 2;
    let sd = Math.sqrt(ss / period);
    if (sd <= Number.EPSILON * Math.abs(m) * period) sd = 0;
    upper.push(m + k * sd);
    lower.push(m - k * sd);
    percentB.push(sd === 0 ? 0.5 : (v - (m - k * sd)) / (2 * k * sd));
  });
  return { middle, upper, lower, percentB };
}

/** Realised volatility: sqrt of the sum of squared returns over the last `period` returns. */
export function realisedVol(returns: number[], period = 20): number[] {
  checkPeriod(period);
  return returns.map((_, i) => {
    if (i < period - 1) return NaN;
    let ss = 0;
    for (let j = i - period + 1; j <= i; j++) ss += returns[j] * returns[j];
    return Math.sqrt(ss);
  });
}

function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a positive integer, got ${period}`);
}


export interface VolumeProfile {
  /** Point of control: centre of the price bin that traded the most volume. */
  poc: number[];
  /** Edges of the value area: the bins around the POC holding `valueArea` of the volume. */
  valueLow: number[];
  valueHigh: number[];
}

/**
 * Rolling volume profile of the last `period` bars: each bar's volume sits at its VWAP, in `bins` equal price
 * bins from the window's lowest low to its highest high. The POC is the fullest bin (the lower one on ties);
 * the value area starts there and grows one bin at a time toward the neighbour with more volume (the lower one
 * on ties) until it holds at least `valueArea` of the window's volume. A window whose prices never moved gives
 * POC and both edges equal to that price.
 */
export function volumeProfile(
  bars: Pick<Bar, 'high' | 'low' | 'vwap' | 'volume'>[],
  period = 30,
  bins = 10,
  valueArea = 0.7,
): VolumeProfile {
  checkPeriod(period);
  checkPeriod(bins);
  const out: VolumeProfile = { poc: [], valueLow: [], valueHigh: [] };
  const volume = new Float64Array(bins);
  bars.forEach((_, i) => {
    if (i < period - 1) {
      out.poc.push(NaN), out.valueLow.push(NaN), out.valueHigh.push(NaN);
      return;
    }
    let lo = Infinity, hi = -Infinity, total = 0;
    for (let j = i - period + 1; j <= i; j++) {
      lo = Math.min(lo, bars[j].low);
      hi = Math.max(hi, bars[j].high);
      total += bars[j].volume;
    }
    if (!(hi > lo)) {
      out.poc.push(lo), out.valueLow.push(lo), out.valueHigh.push(lo);
      return;
    }
    const width = (hi - lo) / bins;
    volume.fill(0);
    for (let j = i - period + 1; j <= i; j++) volume[Math.min(bins - 1, Math.max(0, Math.floor((bars[j].vwap - lo) / width)))] += bars[j].volume;
    let top = 0;
    for (let b = 1; b < bins; b++) if (volume[b] > volume[top]) top = b;
    let below = top, above = top, held = volume[top];
    while (held < valueArea * total && (below > 0 || above < bins - 1)) {
      const down = below > 0 ? volume[below - 1] : -1;
      const up = above < bins - 1 ? volume[above + 1] : -1;
      if (down >= up) held += volume[--below];
      else held += volume[++above];
    }
    out.poc.push(lo + (top + 0.5) * width);
    out.valueLow.push(lo + below * width);
    out.valueHigh.push(lo + (above + 1) * width);
  });
  return out;
}
