/** OHLCV bars from cleaned ticks, aggregated by polars (millions of ticks become thousands of bars). */
import pl from 'nodejs-polars';
import type { Bar, Tick } from './types';

const col = pl.col;

/**
 * Bars per symbol (symbols alphabetical, then by time); intervals without trades are absent. Accepts the
 * frame from readTicks (columns ts, symbol, price, size) or tick objects. Ticks are ordered by time with a
 * stable sort, so equal timestamps keep their input order, which decides open and close.
 */
export async function toBars(ticks: pl.DataFrame | Tick[], intervalMs = 60_000): Promise<Bar[]> {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  const frame = Array.isArray(ticks) ? tickFrame(ticks) : ticks;
  const bars = await frame
    .lazy()
    // A stable sort by time alone orders each symbol's ticks as a (symbol, time) sort would, and a number sort is
    // much cheaper than one led by a string; the few bars are put in symbol order afterwards.
    .sort('ts', false, true, true)
    .withColumns(col('ts').div(intervalMs).floor().mul(intervalMs).alias('start'), col('price').mul(col('size')).alias('notional'))
    .groupBy(['symbol', 'start'], true)
    .agg(
      col('price').first().alias('open'),
      col('price').max().alias('high'),
      col('price').min().alias('low'),
      col('price').last().alias('close'),
      col('size').sum().alias('volume'),
      col('notional').sum().alias('notional'),
      col('price').count().alias('trades'),
    )
    .sort(['symbol', 'start'])
    .collect();
  const c = (name: string) => bars.getColumn(name).toArray() as number[];
  const [start, open, high, low, close, volume, notional, trades] = ['start', 'open', 'high', 'low', 'close', 'volume', 'notional', 'trades'].map(c);
  const symbol = bars.getColumn('symbol').toArray() as string[];
  return symbol.map((s, i) => ({
    symbol: s,
    start: start[i],
    open: open[i],
    high: high[i],
    low: low[i],
    close: close[i],
    volume: volume[i],
    vwap: notional[i] / volume[i],
    trades: Number(trades[i]),
  }));
}

function tickFrame(ticks: Tick[]): pl.DataFrame {
  return pl.DataFrame({
    ts: Float64Array.from(ticks, (t) => t.ts),
    symbol: ticks.map((t) => t.symbol),
    price: Float64Array.from(ticks, (t) => t.price),
    size: Float64Array.from(ticks, (t) => t.size),
  });
}
