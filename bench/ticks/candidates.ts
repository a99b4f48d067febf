/**
 * The dataframe-library choice, measured on equal work: CSV ticks → 1-minute OHLCV bars, no cleaning.
 *   polars  nodejs-polars: native CSV reader and group-by, run by collect() on native threads
 *   arrow   apache-arrow: Arrow columns, but no CSV reader and no group-by in the library, so the parsing and
 *           the aggregation are hand-written loops (on the event loop)
 *   node build/bench/ticks/candidates.js <polars|arrow> <ticks.csv>
 * Prints one JSON line: seconds, peak RSS, bar count, longest event-loop stall.
 */
import { readFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import pl from 'nodejs-polars';
import { startStallProbe } from '../stall-probe';

const MINUTE_MS = 60_000;

async function polarsBars(file: string): Promise<number> {
  const col = pl.col;
  const bars = await pl
    .scanCSV(file, { hasHeader: true, schema: { timestamp: pl.Utf8, symbol: pl.Utf8, price: pl.Float64, size: pl.Float64 } })
    .withColumns(col('timestamp').str.strptime(pl.Datetime('ms'), '%Y-%m-%dT%H:%M:%S%.fZ').cast(pl.Datetime('ms')).cast(pl.Int64).alias('ts'))
    .withColumns(col('ts').div(MINUTE_MS).floor().alias('minute'))
    .groupBy(['symbol', 'minute'], true)
    .agg(col('price').first().alias('open'), col('price').max().alias('high'), col('price').min().alias('low'), col('price').last().alias('close'), col('size').sum().alias('volume'))
    .collect();
  return bars.height;
}

function arrowBars(file: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const n = lines.length - 2; // header, trailing newline
  const ts = new Float64Array(n), price = new Float64Array(n), size = new Float64Array(n);
  const symbols: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = lines[i + 1].split(',');
    ts[i] = Date.parse(f[0]);
    symbols[i] = f[1];
    price[i] = Number(f[2]);
    size[i] = Number(f[3]);
  }
  const table = arrow.tableFromArrays({ ts, price, size });
  const symbol = arrow.vectorFromArray(symbols, new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
  const codes = symbol.data[0].values as Int32Array;
  const [T, P, S] = (['ts', 'price', 'size'] as const).map((c) => table.getChild(c)!.toArray() as Float64Array);
  const bars = new Map<number, { open: number; high: number; low: number; close: number; volume: number }>();
  for (let i = 0; i < table.numRows; i++) {
    const key = codes[i] * 1e10 + Math.floor(T[i] / MINUTE_MS);
    const bar = bars.get(key);
    if (!bar) bars.set(key, { open: P[i], high: P[i], low: P[i], close: P[i], volume: S[i] });
    else {
      bar.high = Math.max(bar.high, P[i]);
      bar.low = Math.min(bar.low, P[i]);
      bar.close = P[i];
      bar.volume += S[i];
    }
  }
  return bars.size;
}

async function main() {
  const [which, file] = process.argv.slice(2);
  const probe = startStallProbe();
  const started = performance.now();
  const bars = which === 'polars' ? await polarsBars(file) : arrowBars(file);
  const seconds = (performance.now() - started) / 1000;
  const longestStallMs = await probe.stop();
  console.log(JSON.stringify({ side: which, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, bars, longestStallMs }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
