/**
 * Reading and cleaning tick files. Rules, applied in this order (each row counts once, in the first rule that
 * drops it): malformed, outside the half-open window [start, end), non-positive/NaN price or size, exact
 * duplicate of an earlier row, out of order (earlier than an earlier row of the same symbol), price outlier.
 *
 * A price is an outlier when it is an isolated spike: its log move from the previous kept price exceeds
 * max(10 robust sigmas of the symbol's tick returns, 0.5%) and the next price moves back by more than that limit.
 * A move that persists is a real level shift (an opening gap, news) and is kept, so one jump does not condemn
 * every later tick. The last row of a symbol is judged on its move alone.
 *
 * The row-wise rules run in polars; the outlier rule is sequential (each decision moves the reference price),
 * so it runs here over the price column as a typed array.
 */
import pl from 'nodejs-polars';
import { DataError } from '../errors';
import { DataLimits, dateRangeText, DEFAULT_DATA_LIMITS } from '../limits';
import { parseTickFile } from './parse';
import { CleaningReport, Tick, TimeWindow } from './types';

export interface CleanTicks {
  /** Kept ticks in file order (time order within each symbol): columns line, ts (epoch ms), symbol, price, size. */
  frame: pl.DataFrame;
  report: CleaningReport;
}

export interface CleaningOptions {
  /** Above this fraction of malformed rows the file is rejected (DataError), default 1%. */
  maxMalformedFraction?: number;
  /** Accepted date range: a tick outside it fails the file, naming its line. */
  limits?: Pick<DataLimits, 'minTime' | 'maxTime'>;
}

const col = pl.col;
const OUTLIER_SIGMAS = 10;
/**
 * Smallest log move that can count as an outlier. Cent prices make most tick returns 0 or one
 * cent, so the robust sigma can be tiny and a one-cent bounce would look like 10 sigmas.
 */
const MIN_OUTLIER_MOVE = 0.005;
/** Fewer returns than this per symbol give no trustworthy sigma, so no outlier test then. */
const MIN_RETURNS_FOR_OUTLIERS = 10;

/** Reads one tick file (CSV or Parquet, by extension) and applies the cleaning rules, counting each. */
export async function readTicks(file: string, window?: TimeWindow, opts: CleaningOptions = {}): Promise<CleanTicks> {
  const maxMalformed = opts.maxMalformedFraction ?? 0.01;
  const { rows, unit } = await parseTickFile(file);
  const outside = window ? col('ts').lt(window.start).or(col('ts').gtEq(window.end)) : pl.lit(false);
  const nonPositive = col('price').isNan().or(col('price').ltEq(0)).or(col('size').isNan()).or(col('size').ltEq(0));
  let staged: pl.DataFrame;
  try {
    staged = await rows
      .withColumns(
        pl.when(col('problem').isNotNull()).then(pl.lit('malformed'))
          .when(outside).then(pl.lit('outsideWindow'))
          .when(nonPositive).then(pl.lit('nonPositive'))
          .otherwise(pl.lit(null))
          .alias('dropped'),
      )
      .collect();
  } catch (e) {
    throw new DataError(`cannot parse: ${(e as Error).message}`, file);
  }
  await assertDatesInRange(staged, file, unit, opts.limits ?? DEFAULT_DATA_LIMITS);
  const report: CleaningReport = { rows: staged.height, kept: 0, outsideWindow: 0, malformed: 0, nonPositive: 0, duplicates: 0, outOfOrder: 0, outliers: 0 };
  const counts = await staged.lazy().filter(col('dropped').isNotNull()).groupBy('dropped').agg(col('line').count().alias('n')).collect();
  for (const { dropped, n } of counts.toRecords() as { dropped: keyof CleaningReport; n: number }[]) report[dropped] = Number(n);

  if (report.rows > 0 && report.malformed / report.rows > maxMalformed) {
    const first = (await staged.lazy().filter(col('dropped').eq(pl.lit('malformed'))).head(5).select('line', 'problem').collect()).toRecords() as {
      line: number;
      problem: string;
    }[];
    const named = first.map((r) => `${unit} ${r.line} (${r.problem})`);
    throw new DataError(
      `${report.malformed} of ${report.rows} rows malformed (allowed ${maxMalformed * 100}%); first: ${named.join(', ')}`,
      file,
      `${unit} ${first[0].line}`,
    );
  }

  const usable = staged.lazy().filter(col('dropped').isNull()).select('line', 'ts', 'symbol', 'price', 'size');
  const firstSeen = await usable.filter(pl.struct(['ts', 'symbol', 'price', 'size'].map((c) => col(c))).isFirstDistinct()).collect();
  report.duplicates = report.rows - report.malformed - report.outsideWindow - report.nonPositive - firstSeen.height;
  // Kept rows of a symbol never decrease in time, so "earlier than the last kept row" is "earlier than all before".
  const latestBefore = col('ts').cumMax().shift(1).over('symbol').fillNull(Number.NEGATIVE_INFINITY);
  const ordered = await firstSeen.lazy().filter(col('ts').gtEq(latestBefore)).collect();
  report.outOfOrder = firstSeen.height - ordered.height;

  const frame = ordered.filter(await spikeFree(ordered));
  report.outliers = ordered.height - frame.height;
  report.kept = frame.height;
  return { frame, report };
}

/** A timestamp far outside any real feed (year 9999) is a broken file, not a tick to window away: fail naming it. */
async function assertDatesInRange(staged: pl.DataFrame, file: string, unit: string, limits: Pick<DataLimits, 'minTime' | 'maxTime'>): Promise<void> {
  const outside = await staged.lazy().filter(col('ts').lt(limits.minTime).or(col('ts').gtEq(limits.maxTime))).head(1).select('line', 'ts').collect();
  if (outside.height === 0) return;
  const { line, ts } = outside.toRecords()[0] as { line: number; ts: number };
  const when = Number.isNaN(new Date(ts).getTime()) ? `${ts} ms` : new Date(ts).toISOString();
  throw new DataError(`timestamp ${when} is outside the ${dateRangeText(limits)}`, file, `${unit} ${line}`);
}

/**
 * Per tick, in file order: false for an isolated price spike. Polars computes each symbol's return sigma and
 * each tick's next price of the same symbol; only the walk that moves the reference price runs here.
 */
async function spikeFree(ticks: pl.DataFrame): Promise<pl.Series> {
  // Window expressions only for the cheap shifts; per-symbol statistics come from group-bys joined back, which
  // polars does several times faster than medians computed `over` a window.
  const steps = (
    await ticks
      .lazy()
      .select(
        col('symbol'),
        col('price'),
        col('price').div(col('price').shift(1).over('symbol')).log().alias('return'),
        col('price').shift(-1).over('symbol').fillNull(Number.NaN).alias('next'),
      )
      .collect()
  ).lazy();
  const centre = steps.groupBy('symbol').agg(col('return').median().alias('centre'), col('price').count().sub(1).alias('returns'));
  const deviation = col('return').sub(col('centre')).abs();
  const perSymbol = await steps
    .join(centre, { on: 'symbol' })
    .groupBy('symbol')
    .agg(deviation.median().alias('mad'), deviation.mean().alias('meanDeviation'), col('returns').first())
    // Robust sigma: 1.4826 MAD, or 1.2533 mean absolute deviation when most returns are 0 (MAD 0). Too few
    // returns give no trustworthy sigma: NaN means "no outlier test for this symbol".
    .select(
      col('symbol'),
      pl.when(col('returns').lt(MIN_RETURNS_FOR_OUTLIERS)).then(pl.lit(Number.NaN))
        .when(col('mad').gt(0)).then(col('mad').mul(1.4826 * OUTLIER_SIGMAS))
        .otherwise(col('meanDeviation').mul(1.2533 * OUTLIER_SIGMAS))
        .alias('limit'),
    )
    .collect();
  const symbols = perSymbol.getColumn('symbol').toArray() as string[];
  const limits = perSymbol.getColumn('limit').toTypedArray() as Float64Array;
  // Symbol → its row in perSymbol, as a number per tick (replaceStrict keeps row order, unlike a join).
  const cols = await steps
    .select(col('symbol').replaceStrict(symbols, symbols.map((_, k) => k)).cast(pl.Float64).alias('key'), col('price'), col('next'))
    .collect();
  const [key, price, next] = ['key', 'price', 'next'].map((c) => cols.getColumn(c).toTypedArray() as Float64Array);
  const keep = new Uint8Array(price.length).fill(1);
  const keptPrice = new Float64Array(symbols.length).fill(Number.NaN);
  for (let i = 0; i < price.length; i++) {
    const k = key[i];
    const kept = keptPrice[k];
    const p = price[i];
    if (Number.isNaN(kept) || Number.isNaN(limits[k])) {
      keptPrice[k] = p;
      continue;
    }
    const limit = Math.max(MIN_OUTLIER_MOVE, limits[k]);
    const out = Math.log(p / kept);
    const back = Number.isNaN(next[i]) ? -out : Math.log(next[i] / p);
    if (Math.abs(out) > limit && Math.abs(back) > limit && Math.sign(back) === -Math.sign(out)) keep[i] = 0;
    else keptPrice[k] = p;
  }
  return pl.Series('keep', keep).cast(pl.Bool);
}

/** Kept ticks (a frame from readTicks, in file order) as objects in time order, file order breaking ties. */
export function ticksOf(frame: pl.DataFrame): Tick[] {
  const sorted = frame.sort('ts', false, true, true);
  const [ts, price, size] = ['ts', 'price', 'size'].map((c) => sorted.getColumn(c).toTypedArray() as Float64Array);
  const symbol = sorted.getColumn('symbol').toArray() as string[];
  return Array.from(symbol, (s, i) => ({ ts: ts[i], symbol: s, price: price[i], size: size[i] }));
}

/** Reads and cleans, returning objects: the convenience form of readTicks for small files. */
export async function readTicksList(file: string, window?: TimeWindow, opts: CleaningOptions = {}): Promise<{ ticks: Tick[]; report: CleaningReport }> {
  const { frame, report } = await readTicks(file, window, opts);
  return { ticks: ticksOf(frame), report };
}

/**
 * Dropping a few bad ticks is cleaning; dropping many means the feed is broken, and training on what is
 * left would be training on the wrong data. Rows outside the window are not dirty.
 */
export function assertCleanEnough(file: string, r: CleaningReport, maxFraction: number): void {
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

export function addCleaningReports(a: CleaningReport, b: CleaningReport): CleaningReport {
  const out = { ...a };
  for (const key of Object.keys(b) as (keyof CleaningReport)[]) out[key] += b[key];
  return out;
}
