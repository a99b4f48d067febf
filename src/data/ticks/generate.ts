/**
 * Synthetic trade ticks with the stylised facts of real tape (volatility clustering, U-shaped intraday
 * activity, lognormal sizes, cent prices), written in the formats real feeds arrive in (CSV, Parquet).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import pl from 'nodejs-polars';
import { DataError } from '../errors';
import { createRng } from '../random';
import { Tick, TICKS_HEADER } from './types';


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
/** Largest planted momentum: an AR(1) coefficient near 1 would make minute returns explode in volatility. */
export const MAX_MOMENTUM = 0.9;
/** Activity at the open/close relative to midday: density 1 + U_SHAPE * (2u - 1)^2. */
const U_SHAPE = 4;
const U_MEAN = 1 + U_SHAPE / 3;

/**
 * `days` counts trading sessions: weekends are skipped, starting from the UTC date of `start`.
 * Each symbol gets exactly `ticksPerDay` ticks per session. Prices diffuse in session time with
 * the GARCH minute variance, scaled by the same U shape as activity (busy open and close are
 * also the volatile ones).
 *
 * `momentum` (default 0: none) plants a predictable signal, so a demo model has something honest to learn:
 * each minute's deseasonalised return gets a drift of `momentum` × the previous minute's, spread over the
 * minute's ticks. The minute returns then follow an AR(1) and the lag-1 autocorrelation of 1-minute bar
 * returns within a session is about `momentum` (cent rounding pulls it down a little on cheap symbols).
 * The drift only uses ticks already printed, so a forecaster that sees bars up to minute t can exploit it for
 * minute t+1, and nothing later. Overnight gaps and the first minute of a session carry no drift.
 */
export function generateTicks(opts: {
  symbols: string[];
  start: Date;
  days: number;
  ticksPerDay: number;
  seed: number;
  momentum?: number;
}): Tick[] {
  const { symbols, days, ticksPerDay, momentum = 0 } = opts;
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a non-negative integer, got ${days}`);
  if (!Number.isInteger(ticksPerDay) || ticksPerDay < 1) throw new RangeError(`ticksPerDay must be >= 1, got ${ticksPerDay}`);
  if (!(momentum >= 0 && momentum <= MAX_MOMENTUM)) throw new RangeError(`momentum must be in [0, ${MAX_MOMENTUM}], got ${momentum}`);
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
      let drift = 0; // deseasonalised drift of the current minute: momentum × the last minute's return
      let prevMs = 0;
      for (const u of sampleSessionTimes(rng, ticksPerDay)) {
        const ms = Math.floor(u * SESSION_MS);
        // Close the GARCH minutes that ended before this tick; quiet minutes add their
        // expected squared return, so variance still mean-reverts.
        for (; (minute + 1) * MINUTE_MS <= ms; minute++) {
          const r2 = minuteReturn === 0 ? st.variance : minuteReturn * minuteReturn;
          st.variance = omega + GARCH_ALPHA * r2 + GARCH_BETA * st.variance;
          drift = momentum * minuteReturn;
          minuteReturn = 0;
        }
        const shape = (1 + U_SHAPE * (2 * u - 1) ** 2) / U_MEAN;
        // Time since the previous tick, capped at the minute's start: drift belongs to the minute it is planted in.
        const dt = (ms - prevMs) / MINUTE_MS;
        const inMinute = (ms - Math.max(prevMs, minute * MINUTE_MS)) / MINUTE_MS;
        const r = Math.sqrt(st.variance * shape * dt) * rng.normal() + drift * Math.sqrt(shape) * inMinute;
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


/** CSV with ISO-8601 UTC timestamps; written in chunks so millions of ticks never form one giant string. */
export async function writeTicksCsv(file: string, ticks: Tick[]): Promise<void> {
  const out = createWriteStream(file);
  const failed = once(out, 'error').then(([e]) => Promise.reject(e));
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  await write(TICKS_HEADER + '\n');
  const CHUNK = 10_000;
  for (let from = 0; from < ticks.length; from += CHUNK) {
    let text = '';
    for (let i = from; i < Math.min(ticks.length, from + CHUNK); i++) {
      const t = ticks[i];
      if (t.symbol === '' || /[,\r\n]/.test(t.symbol)) throw new DataError(`symbol ${JSON.stringify(t.symbol)} cannot be written to CSV`, file, `tick ${i}`);
      // String(number) round-trips exactly, so reading back gives identical prices.
      text += `${new Date(t.ts).toISOString()},${t.symbol},${String(t.price)},${String(t.size)}\n`;
    }
    await write(text);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

/** Parquet with a millisecond `timestamp` column (UTC), `symbol` string, `price` and `size` as float64. */
export async function writeTicksParquet(file: string, ticks: Tick[]): Promise<void> {
  const frame = pl.DataFrame({
    timestamp: pl.Series('timestamp', Float64Array.from(ticks, (t) => t.ts)).cast(pl.Int64).cast(pl.Datetime('ms')),
    symbol: ticks.map((t) => t.symbol),
    price: Float64Array.from(ticks, (t) => t.price),
    size: Float64Array.from(ticks, (t) => t.size),
  });
  frame.writeParquet(file);
}
