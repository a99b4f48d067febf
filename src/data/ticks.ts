/**
 * Trade ticks: a synthetic generator with the stylised facts of real tape (volatility
 * clustering, U-shaped intraday activity, lognormal sizes, cent prices), a CSV reader that
 * cleans the usual defects and says how many rows each rule dropped, minute bars and
 * technical-indicator features for forecasting the next bar's return.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { DataError } from './errors';
import { createRng } from './random';

export interface Tick {
  /** Epoch milliseconds, UTC. */
  ts: number;
  symbol: string;
  price: number;
  size: number;
}

export interface CleaningReport {
  rows: number;
  kept: number;
  outsideWindow: number;
  malformed: number;
  nonPositive: number;
  duplicates: number;
  outOfOrder: number;
  outliers: number;
}

export interface Bar {
  symbol: string;
  /** Interval start, epoch ms. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  trades: number;
}

export interface FeatureTable {
  names: string[];
  rows: number[][];
  times: number[];
  targets: number[];
}

export const TICKS_HEADER = 'timestamp,symbol,price,size';

// ---------------------------------------------------------------------------------------------
// Generation

const DAY_MS = 86_400_000;
// 09:30-16:00 New York, approximated as 14:30-21:00 UTC (ignores daylight saving on purpose).
const SESSION_OPEN_MS = (14 * 60 + 30) * 60_000;
const SESSION_MS = 6.5 * 3_600_000;
const DAILY_VOL = 0.015;
const OVERNIGHT_VOL = 0.006;
const MINUTE_MS = 60_000;
// GARCH(1,1) on one-minute returns: a shock's effect halves in about 35 minutes, so clusters
// show up in minute bars (per-tick GARCH would wash out within a minute).
const GARCH_ALPHA = 0.08;
const GARCH_BETA = 0.9;
/** Activity at the open/close relative to midday: density 1 + U_SHAPE * (2u - 1)^2. */
const U_SHAPE = 4;
const U_MEAN = 1 + U_SHAPE / 3;

/**
 * `days` counts trading sessions: weekends are skipped, starting from the UTC date of `start`.
 * Each symbol gets exactly `ticksPerDay` ticks per session. Prices diffuse in session time with
 * the GARCH minute variance, scaled by the same U shape as activity (busy open and close are
 * also the volatile ones).
 */
export function generateTicks(opts: {
  symbols: string[];
  start: Date;
  days: number;
  ticksPerDay: number;
  seed: number;
}): Tick[] {
  const { symbols, days, ticksPerDay } = opts;
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`);
  if (!Number.isInteger(ticksPerDay) || ticksPerDay < 1) throw new RangeError(`ticksPerDay must be >= 1, got ${ticksPerDay}`);
  const rng = createRng(opts.seed);
  const sessionMinutes = SESSION_MS / MINUTE_MS;
  const longRunVar = (DAILY_VOL * DAILY_VOL) / sessionMinutes; // per minute
  const omega = longRunVar * (1 - GARCH_ALPHA - GARCH_BETA);
  const state = symbols.map(() => ({ price: 20 + rng.next() * 280, variance: longRunVar }));

  const out: (Tick & { order: number })[] = [];
  let day = Math.floor(opts.start.getTime() / DAY_MS) * DAY_MS;
  for (let session = 0; session < days; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    symbols.forEach((symbol, s) => {
      const st = state[s];
      if (session > 0) st.price *= Math.exp(OVERNIGHT_VOL * rng.normal());
      let minute = 0;
      let minuteReturn = 0; // deseasonalised (divided by the U shape's sd), so GARCH stays stationary
      let prevMs = 0;
      for (const u of sampleSessionTimes(rng, ticksPerDay)) {
        const ms = Math.floor(u * SESSION_MS);
        // Close the GARCH minutes that ended before this tick; quiet minutes add their
        // expected squared return, so variance still mean-reverts.
        for (; (minute + 1) * MINUTE_MS <= ms; minute++) {
          const r2 = minuteReturn === 0 ? st.variance : minuteReturn * minuteReturn;
          st.variance = omega + GARCH_ALPHA * r2 + GARCH_BETA * st.variance;
          minuteReturn = 0;
        }
        const shape = (1 + U_SHAPE * (2 * u - 1) ** 2) / U_MEAN;
        const r = Math.sqrt((st.variance * shape * (ms - prevMs)) / MINUTE_MS) * rng.normal();
        prevMs = ms;
        minuteReturn += r / Math.sqrt(shape);
        st.price *= Math.exp(r);
        const price = Math.max(0.01, Math.round(st.price * 100) / 100);
        const size = Math.max(1, Math.round(Math.exp(Math.log(100) + 0.9 * rng.normal())));
        out.push({ ts: day + SESSION_OPEN_MS + ms, symbol, price, size, order: s });
      }
    });
    session++;
  }
  out.sort((a, b) => a.ts - b.ts || a.order - b.order);
  return out.map(({ ts, symbol, price, size }) => ({ ts, symbol, price, size }));
}

/** Sorted fractions of the session in [0, 1), drawn by rejection from the U-shaped density. */
function sampleSessionTimes(rng: ReturnType<typeof createRng>, n: number): number[] {
  const times: number[] = [];
  while (times.length < n) {
    const u = rng.next();
    const density = 1 + U_SHAPE * (2 * u - 1) ** 2;
    if (rng.next() * (1 + U_SHAPE) < density) times.push(u);
  }
  return times.sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// CSV

export async function writeTicksCsv(file: string, ticks: Tick[]): Promise<void> {
  const lines = [TICKS_HEADER];
  ticks.forEach((t, i) => {
    if (t.symbol === '' || /[,\r\n]/.test(t.symbol)) throw new DataError(`symbol ${JSON.stringify(t.symbol)} cannot be written to CSV`, file, `tick ${i}`);
    // String(number) round-trips exactly, so reading back gives identical prices.
    lines.push(`${new Date(t.ts).toISOString()},${t.symbol},${String(t.price)},${String(t.size)}`);
  });
  await writeFile(file, lines.join('\n') + '\n');
}

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Strict ISO-8601 UTC parse; NaN for anything else (including impossible dates like Feb 30). */
export function parseIsoUtc(text: string): number {
  const m = ISO_UTC.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) return NaN;
  const ts = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return new Date(ts).getUTCDate() === d ? ts : NaN;
}

/** Decimal number; the literal NaN is accepted (and later dropped as a bad value, not a bad row). */
function parseNumber(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/** Robust sigma: 1.4826 * MAD; falls back to the mean absolute deviation when most returns are 0. */
export function robustSigma(values: number[]): number {
  if (values.length === 0) return 0;
  const med = median(values);
  const dev = values.map((v) => Math.abs(v - med));
  const mad = 1.4826 * median(dev);
  if (mad > 0) return mad;
  return 1.2533 * (dev.reduce((a, b) => a + b, 0) / dev.length);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const OUTLIER_SIGMAS = 10;
/**
 * Smallest log move that can count as an outlier. Cent prices make most tick returns 0 or one
 * cent, so the robust sigma can be tiny and a one-cent bounce would look like 10 sigmas.
 */
const MIN_OUTLIER_MOVE = 0.005;
/** Fewer returns than this per symbol give no trustworthy sigma, so no outlier test then. */
const MIN_RETURNS_FOR_OUTLIERS = 10;

/**
 * Reads and cleans a ticks CSV. Rules, applied in this order (each row counts once, in the
 * first rule that drops it): malformed, outside the half-open window [start, end),
 * non-positive/NaN price or size, exact duplicate of an earlier row, out of order (earlier than
 * the previous row of the same symbol), price outlier. A price is an outlier when it is an
 * isolated spike: its log move from the previous kept price exceeds max(10 robust sigmas of the
 * symbol's tick returns, 0.5%) and the next price moves back by more than that limit. A move
 * that persists is a real level shift (an opening gap, news) and is kept, so one jump does not
 * condemn every later tick. The last row of a symbol is judged on its move alone.
 * Throws DataError for a wrong header or when more than maxMalformedFraction rows are malformed.
 * Returned ticks are sorted by timestamp (stable, so file order breaks ties).
 */
export async function readTicksCsv(
  file: string,
  window?: { start: number; end: number },
  opts: { maxMalformedFraction?: number } = {},
): Promise<{ ticks: Tick[]; report: CleaningReport }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read file: ${(e as Error).message}`, file);
  }
  return parseTicksCsv(text, file, window, opts);
}

export function parseTicksCsv(
  text: string,
  file: string,
  window?: { start: number; end: number },
  opts: { maxMalformedFraction?: number } = {},
): { ticks: Tick[]; report: CleaningReport } {
  const maxMalformed = opts.maxMalformedFraction ?? 0.01;
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const header = lines[0].replace(/\r$/, '');
  if (header !== TICKS_HEADER) {
    throw new DataError(`expected header "${TICKS_HEADER}", got "${header.slice(0, 80)}"`, file, 'line 1');
  }
  const report: CleaningReport = { rows: 0, kept: 0, outsideWindow: 0, malformed: 0, nonPositive: 0, duplicates: 0, outOfOrder: 0, outliers: 0 };
  const badLines: string[] = [];
  const seen = new Set<string>();
  const lastTs = new Map<string, number>();
  const candidates: Tick[] = [];

  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    report.rows++;
    const lineNo = i + 1;
    const fields = line.split(',');
    const ts = fields.length === 4 ? parseIsoUtc(fields[0]) : NaN;
    const price = fields.length === 4 ? parseNumber(fields[2]) : undefined;
    const size = fields.length === 4 ? parseNumber(fields[3]) : undefined;
    if (fields.length !== 4 || Number.isNaN(ts) || fields[1] === '' || price === undefined || size === undefined) {
      report.malformed++;
      const reason = fields.length !== 4 ? `${fields.length} fields` : Number.isNaN(ts) ? 'bad timestamp' : fields[1] === '' ? 'empty symbol' : 'bad number';
      if (badLines.length < 5) badLines.push(`line ${lineNo} (${reason})`);
      continue;
    }
    const symbol = fields[1];
    if (window && (ts < window.start || ts >= window.end)) {
      report.outsideWindow++;
      continue;
    }
    if (!(price > 0) || !(size > 0)) {
      report.nonPositive++;
      continue;
    }
    const key = `${ts}|${symbol}|${price}|${size}`;
    if (seen.has(key)) {
      report.duplicates++;
      continue;
    }
    seen.add(key);
    const prev = lastTs.get(symbol);
    if (prev !== undefined && ts < prev) {
      report.outOfOrder++;
      continue;
    }
    lastTs.set(symbol, ts);
    candidates.push({ ts, symbol, price, size });
  }

  if (report.rows > 0 && report.malformed / report.rows > maxMalformed) {
    throw new DataError(
      `${report.malformed} of ${report.rows} rows malformed (allowed ${maxMalformed * 100}%); first: ${badLines.join(', ')}`,
      file,
      badLines[0].split(' (')[0],
    );
  }

  const outlier = findOutliers(candidates);
  const ticks = candidates.filter((_, i) => !outlier[i]);
  report.outliers = candidates.length - ticks.length;
  report.kept = ticks.length;
  ticks.sort((a, b) => a.ts - b.ts);
  return { ticks, report };
}

/** Flags isolated price spikes per symbol (see readTicksCsv); too few returns → no test. */
function findOutliers(ticks: Tick[]): boolean[] {
  const flags = new Array<boolean>(ticks.length).fill(false);
  const bySymbol = new Map<string, number[]>();
  ticks.forEach((t, i) => {
    const list = bySymbol.get(t.symbol);
    if (list) list.push(i);
    else bySymbol.set(t.symbol, [i]);
  });
  for (const idx of bySymbol.values()) {
    const returns: number[] = [];
    for (let j = 1; j < idx.length; j++) returns.push(Math.log(ticks[idx[j]].price / ticks[idx[j - 1]].price));
    if (returns.length < MIN_RETURNS_FOR_OUTLIERS) continue;
    const limit = Math.max(MIN_OUTLIER_MOVE, OUTLIER_SIGMAS * robustSigma(returns));
    let kept = ticks[idx[0]].price;
    for (let j = 1; j < idx.length; j++) {
      const p = ticks[idx[j]].price;
      const out = Math.log(p / kept);
      const back = j + 1 < idx.length ? Math.log(ticks[idx[j + 1]].price / p) : -out;
      if (Math.abs(out) > limit && Math.abs(back) > limit && Math.sign(back) === -Math.sign(out)) flags[idx[j]] = true;
      else kept = p;
    }
  }
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Bars

/** OHLCV bars per symbol (symbols alphabetical, then by time); intervals without trades are absent. */
export function toBars(ticks: Tick[], intervalMs = 60_000): Bar[] {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  const bySymbol = new Map<string, Tick[]>();
  for (const t of ticks) {
    const list = bySymbol.get(t.symbol);
    if (list) list.push(t);
    else bySymbol.set(t.symbol, [t]);
  }
  const bars: Bar[] = [];
  for (const symbol of [...bySymbol.keys()].sort()) {
    // Stable sort: equal timestamps keep input order, which decides open/close.
    const list = [...bySymbol.get(symbol)!].sort((a, b) => a.ts - b.ts);
    let bar: Bar | null = null;
    let notional = 0;
    for (const t of list) {
      const start = Math.floor(t.ts / intervalMs) * intervalMs;
      if (!bar || bar.start !== start) {
        if (bar) bars.push({ ...bar, vwap: notional / bar.volume });
        bar = { symbol, start, open: t.price, high: t.price, low: t.price, close: t.price, volume: 0, vwap: 0, trades: 0 };
        notional = 0;
      }
      bar.high = Math.max(bar.high, t.price);
      bar.low = Math.min(bar.low, t.price);
      bar.close = t.price;
      bar.volume += t.size;
      bar.trades++;
      notional += t.price * t.size;
    }
    if (bar) bars.push({ ...bar, vwap: notional / bar.volume });
  }
  return bars;
}

// ---------------------------------------------------------------------------------------------
// Indicators. Each returns an array aligned with its input, NaN where the window is incomplete.

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

// ---------------------------------------------------------------------------------------------
// Features

export const BAR_FEATURE_NAMES = [
  'log_return',
  'close_sma10_ratio',
  'close_sma30_ratio',
  'rsi14',
  'macd_over_close',
  'macd_signal_over_close',
  'bollinger_pct_b',
  'realised_vol20',
  'log_volume_rel20',
];

/**
 * Features for each bar from that bar and earlier ones only; the target is the next bar's log
 * return. Warm-up rows (any indicator still lacking its window) and the last bar are dropped.
 */
export function barFeatures(bars: Bar[]): FeatureTable {
  bars.forEach((b, i) => {
    if (b.symbol !== bars[0].symbol) throw new DataError(`mixed symbols ${bars[0].symbol} and ${b.symbol}`, undefined, `bar ${i}`);
    if (i > 0 && b.start <= bars[i - 1].start) throw new DataError('bars not in chronological order', undefined, `bar ${i}`);
    if (!(b.close > 0) || !(b.volume > 0)) throw new DataError('close and volume must be positive', undefined, `bar ${i}`);
  });
  const close = bars.map((b) => b.close);
  const logVolume = bars.map((b) => Math.log(b.volume));
  const logRet = close.map((c, i) => (i === 0 ? NaN : Math.log(c / close[i - 1])));
  const sma10 = sma(close, 10);
  const sma30 = sma(close, 30);
  const rsi14 = rsi(close, 14);
  const m = macd(close, 12, 26, 9);
  const pctB = bollinger(close, 20, 2).percentB;
  const vol20 = realisedVol(logRet, 20);
  const volumeMean20 = sma(bars.map((b) => b.volume), 20);
  // First index where every window is full: the MACD signal needs 26 + 9 - 1 closes.
  const warmUp = Math.max(1, 10 - 1, 30 - 1, 14, 26 - 1 + 9 - 1, 20 - 1, 20, 20 - 1);

  const table: FeatureTable = { names: [...BAR_FEATURE_NAMES], rows: [], times: [], targets: [] };
  for (let i = warmUp; i < bars.length - 1; i++) {
    table.rows.push([
      logRet[i],
      close[i] / sma10[i] - 1,
      close[i] / sma30[i] - 1,
      rsi14[i],
      m.macd[i] / close[i],
      m.signal[i] / close[i],
      pctB[i],
      vol20[i],
      logVolume[i] - Math.log(volumeMean20[i]),
    ]);
    table.times.push(bars[i].start);
    table.targets.push(logRet[i + 1]);
  }
  return table;
}
