/**
 * Parsing tick files into one columnar shape, with nodejs-polars doing the work in native threads (collect()
 * runs off the event loop, so a worker parsing millions of rows still heartbeats).
 *
 * Every parser yields a lazy frame with: `line` (1-based line of a CSV file, or row of a Parquet file),
 * `problem` (null, or why the row is malformed), `ts` (epoch ms, float64),
 * `symbol`, `price`, `size` (float64; the literal NaN parses as NaN, to be dropped as a bad value, not a bad row).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import pl, { DataType } from 'nodejs-polars';
import { DataError } from '../errors';
import { assertRegularFile } from '../paths';
import { TICKS_HEADER, TICKS_HEADER_WITH_QUOTES } from './types';


export interface ParsedTicks {
  rows: pl.LazyDataFrame;
  /** How rows are numbered in messages: "line 5" for CSV, "row 5" for Parquet. */
  unit: 'line' | 'row';
}

/** ISO-8601 UTC with optional fraction; chrono rejects impossible dates (Feb 30, hour 25) as nulls. */
const ISO_UTC_FORMAT = '%Y-%m-%dT%H:%M:%S%.fZ';

const col = pl.col;

/** polars opens the file by its path: only a regular file (no link, no FIFO that would block its thread) is handed over. */
export async function parseTickFile(file: string): Promise<ParsedTicks> {
  await assertRegularFile(file);
  if (file.endsWith('.parquet')) return parseTicksParquet(file);
  return parseTicksCsv(file);
}

/** First line of a file without BOM or CR, read directly: polars would need a full scan to give it. */
async function firstLine(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split('\n')[0].replace(/\r$/, '');
  } finally {
    await handle.close();
  }
}

/**
 * CSV through polars' native reader with every column as text, so each value is judged here. Quoting is
 * switched off (a tick file has no quoted fields; a quoted value is malformed) and one `overflow` column
 * beyond the header catches rows with too many fields; rows with too few read as nulls at the end.
 * Records map one-to-one to lines (empty lines read as all-null rows, then skipped), so `line` is exact.
 */
export async function parseTicksCsv(file: string): Promise<ParsedTicks> {
  const header = await firstLine(file);
  if (header !== TICKS_HEADER && header !== TICKS_HEADER_WITH_QUOTES) {
    throw new DataError(`expected header "${TICKS_HEADER}" (optionally followed by ",bid,ask"), got "${header.slice(0, 80)}"`, file, 'line 1');
  }
  const names = [...header.split(','), 'overflow'];
  const rows = pl
    .scanCSV(file, { hasHeader: true, quoteChar: '\x1e', truncateRaggedLines: true, schema: Object.fromEntries(names.map((n) => [n, pl.Utf8])) })
    .withRowIndex('line', 2)
    .filter(pl.anyHorizontal(names.map((n) => col(n).isNotNull())))
    .withColumns(fieldCountProblem(names))
    .withColumns(epochMs(col('timestamp').str.strptime(pl.Datetime('ms'), ISO_UTC_FORMAT)), number('price', 'price'), number('size', 'size'))
    .withColumns(problem())
    .select('line', 'problem', 'ts', 'symbol', 'price', 'size');
  return { rows, unit: 'line' };
}

/** "more than N fields", or "missing <first absent field>" (an empty field reads as absent too), or null. */
function fieldCountProblem(names: string[]): pl.Expr {
  let chain = pl.when(col('overflow').isNotNull()).then(pl.lit(`more than ${names.length - 1} fields`));
  for (const name of names.slice(0, -1)) chain = chain.when(col(name).isNull()).then(pl.lit(`missing ${name}`));
  return chain.otherwise(pl.lit(null)).alias('fields');
}

/** Text to float64; anything that is not a finite decimal (or the literal NaN) becomes null, i.e. malformed. */
function number(text: string, name: string): pl.Expr {
  const value = col(text).cast(pl.Float64, false);
  return pl.when(value.isInfinite()).then(pl.lit(null)).otherwise(value).alias(name);
}

function epochMs(datetime: pl.Expr): pl.Expr {
  return datetime.cast(pl.Datetime('ms')).cast(pl.Int64).cast(pl.Float64).alias('ts');
}

/** The first reason a row is malformed: a field-count problem (CSV only), then the values in column order. */
function problem(): pl.Expr {
  return pl
    .when(col('fields').isNotNull())
    .then(col('fields'))
    .when(col('ts').isNull())
    .then(pl.lit('bad timestamp'))
    .when(col('symbol').isNull().or(col('symbol').eq(pl.lit(''))))
    .then(pl.lit('empty symbol'))
    .when(col('price').isNull().or(col('size').isNull()))
    .then(pl.lit('bad number'))
    .otherwise(pl.lit(null))
    .alias('problem');
}

const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float32', 'Float64']);
const TEXT = new Set(['Utf8', 'String', 'Categorical']);

/**
 * Parquet columns are typed, so the checks are on the schema: `timestamp` a datetime (any unit) or ISO text,
 * `symbol` text, `price` and `size` numbers. Nulls make a row malformed, named by its row number.
 */
export async function parseTicksParquet(file: string): Promise<ParsedTicks> {
  let scan: pl.LazyDataFrame;
  let schema: Record<string, DataType>;
  try {
    scan = pl.scanParquet(file);
    schema = (await scan.head(0).collect()).schema as Record<string, DataType>;
  } catch (e) {
    throw new DataError(`not a readable Parquet file: ${(e as Error).message}`, file);
  }
  const kind = (name: string) => schema[name]?.variant as string | undefined;
  const expect = (name: string, ok: boolean, what: string) => {
    if (!(name in schema)) throw new DataError(`missing column "${name}" (expected timestamp, symbol, price, size)`, file, `column ${name}`);
    if (!ok) throw new DataError(`column "${name}" has type ${schema[name].variant}; expected ${what}`, file, `column ${name}`);
  };
  expect('timestamp', kind('timestamp') === 'Datetime' || TEXT.has(kind('timestamp') ?? ''), 'a datetime or ISO-8601 text');
  expect('symbol', TEXT.has(kind('symbol') ?? ''), 'text');
  for (const name of ['price', 'size']) expect(name, NUMERIC.has(kind(name) ?? '') || TEXT.has(kind(name) ?? ''), 'a number');

  const timestamp = kind('timestamp') === 'Datetime' ? col('timestamp') : col('timestamp').cast(pl.Utf8).str.strptime(pl.Datetime('ms'), ISO_UTC_FORMAT);
  const rows = scan
    .withRowIndex('line', 1)
    .withColumns(
      epochMs(timestamp),
      col('symbol').cast(pl.Utf8).alias('symbol'),
      number('price', 'price'),
      number('size', 'size'),
      pl.lit(null).cast(pl.Utf8).alias('fields'),
    )
    .withColumns(problem())
    .select('line', 'problem', 'ts', 'symbol', 'price', 'size');
  return { rows, unit: 'row' };
}
