import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pl from 'nodejs-polars';
import { DataError } from '../../src/data/errors';
import {
  Bar,
  barFeatures,
  bollinger,
  ema,
  generateTicks,
  macd,
  readTicks,
  readTicksList,
  realisedVol,
  rsi,
  sma,
  volumeProfile,
  Tick,
  toBars,
  writeTicksCsv,
  writeTicksParquet,
} from '../../src/data/ticks';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ticks-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 5, 14, 30); // Monday, session open
const iso = (ms: number) => new Date(ms).toISOString();

describe('generateTicks', () => {
  const opts = { symbols: ['AAA', 'BBB'], start: new Date(Date.UTC(2026, 0, 3)), days: 2, ticksPerDay: 500, seed: 11 };

  it('is deterministic and realistic in shape', () => {
    const ticks = generateTicks(opts);
    expect(generateTicks(opts)).toEqual(ticks);
    expect(generateTicks({ ...opts, seed: 12 })).not.toEqual(ticks);
    expect(ticks).toHaveLength(2 * 2 * 500);
    const days = new Set(ticks.map((t) => iso(t.ts).slice(0, 10)));
    expect([...days]).toEqual(['2026-01-05', '2026-01-06']); // Saturday start: Monday and Tuesday
    let openHalfHour = 0, middayHalfHour = 0;
    ticks.forEach((t, i) => {
      const minuteOfDay = (t.ts % 86_400_000) / 60_000;
      expect(minuteOfDay >= 14 * 60 + 30 && minuteOfDay < 21 * 60).toBe(true);
      if (i > 0) expect(t.ts).toBeGreaterThanOrEqual(ticks[i - 1].ts);
      expect(Math.round(t.price * 100) / 100).toBe(t.price);
      expect(Number.isInteger(t.size) && t.size >= 1).toBe(true);
      if (minuteOfDay < 15 * 60) openHalfHour++;
      if (minuteOfDay >= 17 * 60 + 30 && minuteOfDay < 18 * 60) middayHalfHour++;
    });
    expect(openHalfHour).toBeGreaterThan(2 * middayHalfHour); // U-shaped intensity
  });

  it('round-trips through CSV exactly with a clean report', async () => {
    const ticks = generateTicks(opts);
    const file = path.join(dir, 'gen.csv');
    await writeTicksCsv(file, ticks);
    const { ticks: back, report } = await readTicksList(file);
    expect(back).toEqual(ticks);
    expect(report).toEqual({ rows: 2000, kept: 2000, outsideWindow: 0, malformed: 0, nonPositive: 0, duplicates: 0, outOfOrder: 0, outliers: 0 });
  });

  it('round-trips through Parquet exactly, and CSV and Parquet of the same ticks clean alike', async () => {
    const ticks = generateTicks(opts);
    const file = path.join(dir, 'gen.parquet');
    await writeTicksParquet(file, ticks);
    const window = { start: Date.UTC(2026, 0, 5, 15), end: Date.UTC(2026, 0, 5, 20) };
    const fromParquet = await readTicksList(file, window);
    await writeTicksCsv(path.join(dir, 'gen.csv'), ticks);
    expect(fromParquet).toEqual(await readTicksList(path.join(dir, 'gen.csv'), window));
    expect((await readTicksList(file)).ticks).toEqual(ticks);
  });
});

describe('tick file formats', () => {
  it('accepts optional bid and ask columns in CSV', async () => {
    const file = path.join(dir, 'quotes.csv');
    writeFileSync(file, `timestamp,symbol,price,size,bid,ask\n${iso(T0)},AAA,10.01,5,10,10.02\n${iso(T0 + 1)},AAA,10.02,5,10.01,10.03\n`);
    const { ticks, report } = await readTicksList(file);
    expect(ticks).toEqual([
      { ts: T0, symbol: 'AAA', price: 10.01, size: 5 },
      { ts: T0 + 1, symbol: 'AAA', price: 10.02, size: 5 },
    ]);
    expect(report.kept).toBe(2);
  });

  it('names the Parquet file and column when the schema is wrong, and rows by number when values are missing', async () => {
    const wrongType = path.join(dir, 'wrong.parquet');
    pl.DataFrame({ timestamp: [1.5], symbol: ['AAA'], price: [1], size: [1] }).writeParquet(wrongType);
    await expect(readTicksList(wrongType)).rejects.toThrow(/wrong\.parquet column timestamp: column "timestamp" has type Float64; expected a datetime/);
    const missing = path.join(dir, 'missing.parquet');
    pl.DataFrame({ timestamp: ['2026-01-05T14:30:00Z'], symbol: ['AAA'], price: [1] }).writeParquet(missing);
    await expect(readTicksList(missing)).rejects.toThrow(/missing\.parquet column size: missing column "size"/);
    const nulls = path.join(dir, 'nulls.parquet');
    pl.DataFrame({ timestamp: [iso(T0), iso(T0 + 1), 'yesterday'], symbol: ['AAA', null, 'AAA'], price: [1, 2, 3], size: [1, 1, 1] }).writeParquet(nulls);
    await expect(readTicksList(nulls)).rejects.toThrow(/nulls\.parquet row 2: 2 of 3 rows malformed.*row 2 \(empty symbol\), row 3 \(bad timestamp\)/);
  });

  it('keeps the event loop free while polars parses a large file', async () => {
    const file = path.join(dir, 'large.csv');
    await writeTicksCsv(file, generateTicks({ symbols: ['AAA', 'BBB'], start: new Date(T0), days: 2, ticksPerDay: 100_000, seed: 5 }));
    // Count timer callbacks while parsing and aggregating: work done synchronously on the event loop lets none
    // through while it runs; work in polars' native threads lets the timer keep firing.
    let fired = 0;
    const timer = setInterval(() => fired++, 1);
    try {
      await toBars((await readTicks(file)).frame);
    } finally {
      clearInterval(timer);
    }
    expect(fired).toBeGreaterThanOrEqual(20); // seen here: ~280; a synchronous parse: a few, during the file read
  });
});

describe('readTicksList cleaning', () => {
  /** 150 clean AAA rows one second apart, bouncing by a cent, plus 30 BBB rows. */
  function cleanRows(): string[] {
    const rows: string[] = [];
    for (let i = 0; i < 150; i++) {
      rows.push(`${iso(T0 + 60_000 + i * 1000)},AAA,${[100, 100.01, 100.02, 100.01][i % 4]},100`);
      if (i % 5 === 0) rows.push(`${iso(T0 + 60_000 + i * 1000 + 500)},BBB,${[50, 50.05][i % 2]},10`);
    }
    return rows;
  }

  it('drops and counts each kind of bad row', async () => {
    const rows = cleanRows(); // 180 rows
    // Timestamp of the clean row just before position i, so inserted rows are in time order.
    const prevTs = (i: number) => Date.parse(rows[i - 1].split(',')[0]);
    const dirty: [number, string][] = [
      // [insert before clean row index, row]
      [10, `${iso(prevTs(10))},AAA,100.01,999`], // clean, for contrast (same time as a row, other size)
      [20, `2026-01-05T25:00:00.000Z,AAA,100,1`], // malformed: hour 25
      [30, `${iso(T0 - 1)},AAA,100,1`], // outside window (before start)
      [31, `${iso(T0 + 3_600_000)},AAA,100,1`], // outside window (end is exclusive)
      [40, `${iso(prevTs(40))},AAA,0,5`], // non-positive price
      [41, `${iso(prevTs(41))},AAA,100,-5`], // non-positive size
      [42, `${iso(prevTs(42))},AAA,NaN,5`], // NaN price
      [50, rows[49]], // exact duplicate of the previous row
      [70, rows[60]], // exact duplicate of an older row (counted as duplicate, not out of order)
      [80, `${iso(prevTs(80) - 5000)},AAA,100.02,77`], // out of order: earlier than the previous AAA row
      [90, `${iso(prevTs(90))},AAA,150.00,10`], // isolated spike: outlier
    ];
    const all = [...rows];
    // Insert from the back so indices refer to the clean list.
    for (const [i, row] of [...dirty].sort((a, b) => b[0] - a[0])) all.splice(i, 0, row);
    const file = path.join(dir, 'dirty.csv');
    writeFileSync(file, ['timestamp,symbol,price,size', ...all].join('\r\n') + '\r\n');

    const { ticks, report } = await readTicksList(file, { start: T0, end: T0 + 3_600_000 });
    expect(report).toEqual({
      rows: 191,
      kept: 181,
      outsideWindow: 2,
      malformed: 1,
      nonPositive: 3,
      duplicates: 2,
      outOfOrder: 1,
      outliers: 1,
    });
    expect(ticks.some((t) => t.price === 150)).toBe(false);
    expect(ticks.filter((t) => t.size === 999)).toHaveLength(1);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i].ts).toBeGreaterThanOrEqual(ticks[i - 1].ts);
  });

  it('keeps a persistent level shift (not an outlier)', async () => {
    const rows = cleanRows().filter((r) => r.includes('AAA'));
    const shifted = rows.map((r, i) => (i >= 100 ? r.replace(/,AAA,([\d.]+),/, (_, p) => `,AAA,${(Number(p) + 20).toFixed(2)},`) : r));
    const file = path.join(dir, 'shift.csv');
    writeFileSync(file, ['timestamp,symbol,price,size', ...shifted].join('\n'));
    const { report } = await readTicksList(file);
    expect(report.outliers).toBe(0);
    expect(report.kept).toBe(150);
  });

  it('throws naming the file and line 1 for a wrong header', async () => {
    const file = path.join(dir, 'header.csv');
    writeFileSync(file, 'time,symbol,price,size\n');
    await expect(readTicksList(file)).rejects.toThrow(DataError);
    await expect(readTicksList(file)).rejects.toThrow(/header\.csv line 1/);
  });

  it('throws with the first bad line numbers when more than 1% of rows are malformed', async () => {
    const rows = cleanRows().slice(0, 50);
    rows.splice(3, 0, `${iso(T0)},AAA,1.2.3,4`);
    rows.splice(7, 0, `${iso(T0)},AAA,100`);
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, ['timestamp,symbol,price,size', ...rows].join('\n'));
    await expect(readTicksList(file)).rejects.toThrow(/bad\.csv line 5: 2 of 52 rows malformed.*line 5 \(bad number\), line 9 \(missing size\)/);
    const lenient = await readTicksList(file, undefined, { maxMalformedFraction: 0.05 });
    expect(lenient.report.malformed).toBe(2);
  });
});

describe('toBars', () => {
  it('builds OHLCV, vwap and trade counts per symbol, skipping empty intervals', async () => {
    const ticks: Tick[] = [
      { ts: T0, symbol: 'AAA', price: 10, size: 1 },
      { ts: T0 + 10_000, symbol: 'BBB', price: 5, size: 10 },
      { ts: T0 + 30_000, symbol: 'AAA', price: 12, size: 3 },
      { ts: T0 + 59_999, symbol: 'AAA', price: 11, size: 1 },
      { ts: T0 + 120_000, symbol: 'AAA', price: 9, size: 2 },
    ];
    expect(await toBars(ticks)).toEqual([
      { symbol: 'AAA', start: T0, open: 10, high: 12, low: 10, close: 11, volume: 5, vwap: 11.4, trades: 3 },
      { symbol: 'AAA', start: T0 + 120_000, open: 9, high: 9, low: 9, close: 9, volume: 2, vwap: 9, trades: 1 },
      { symbol: 'BBB', start: T0, open: 5, high: 5, low: 5, close: 5, volume: 10, vwap: 5, trades: 1 },
    ]);
    expect((await toBars(ticks, 300_000))[0]).toMatchObject({ open: 10, close: 9, volume: 7, trades: 4 });
  });
});

describe('indicators', () => {
  it('sma and ema on hand-checkable series', () => {
    expect(sma([1, 2, 3, 4, 5], 3)).toEqual([NaN, NaN, 2, 3, 4]);
    // alpha = 0.5, seeded with SMA(2, 4, 6) = 4.
    expect(ema([2, 4, 6, 8, 4], 3)).toEqual([NaN, NaN, 4, 6, 5]);
    expect(ema([NaN, 2, 4, 6], 3)).toEqual([NaN, NaN, NaN, 4]);
  });

  it('rsi: 100 for a rising series, 50 flat, Wilder smoothing', () => {
    const rising = Array.from({ length: 20 }, (_, i) => 10 + i);
    const r = rsi(rising, 14);
    expect(r.slice(0, 14).every(Number.isNaN)).toBe(true);
    expect(r.slice(14)).toEqual([100, 100, 100, 100, 100, 100]);
    expect(rsi([3, 3, 3, 3], 2).slice(2)).toEqual([50, 50]);
    // changes +1, -1, +1: first averages 0.5/0.5 → 50; then gain (0.5+1)/2, loss 0.5/2 → 75.
    expect(rsi([1, 2, 1, 2], 2)).toEqual([NaN, NaN, 50, 75]);
  });

  it('macd of a linear series is the constant lag difference', () => {
    const m = macd([1, 2, 3, 4, 5, 6], 2, 3, 2);
    // EMA(2) lags a unit-slope line by 0.5, EMA(3) by 1: MACD = 0.5 once both exist.
    expect(m.macd.slice(0, 2).every(Number.isNaN)).toBe(true);
    m.macd.slice(2).forEach((v) => expect(v).toBeCloseTo(0.5, 12));
    expect(Number.isNaN(m.signal[2])).toBe(true);
    m.signal.slice(3).forEach((v) => expect(v).toBeCloseTo(0.5, 12));
    m.histogram.slice(3).forEach((v) => expect(v).toBeCloseTo(0, 12));
  });

  it('volume profile: POC, value area grown toward the heavier side, collapsed window', () => {
    // Range 10-14 in 4 bins of width 1; volumes at VWAPs 10.5, 11.5, 12.5, 13.5 are 1, 5, 3, 1 (total 10).
    const bar = (vwap: number, volume: number) => ({ low: 10, high: 14, vwap, volume });
    const p = volumeProfile([bar(10.5, 1), bar(11.5, 5), bar(12.5, 3), bar(13.5, 1)], 4, 4);
    expect(p.poc.slice(0, 3).every(Number.isNaN)).toBe(true);
    // POC is bin 1 (5 of 10). 70% needs 7: the heavier neighbour is bin 2 (3 vs 1) → 8, so the area is bins 1-2.
    expect([p.poc[3], p.valueLow[3], p.valueHigh[3]]).toEqual([11.5, 11, 13]);
    // Ties go to the lower side: bins 1 and 2 tie for POC and bin 1 wins; then bin 2 (4) beats bin 0 (2).
    const pocTie = volumeProfile([bar(10.5, 2), bar(11.5, 4), bar(12.5, 4), bar(13.5, 0)], 4, 4);
    expect([pocTie.poc[3], pocTie.valueLow[3], pocTie.valueHigh[3]]).toEqual([11.5, 11, 13]);
    // Neighbours tie (3 and 3): the lower one joins, and 4 + 3 reaches 7 of 10.
    const sideTie = volumeProfile([bar(10.5, 3), bar(11.5, 4), bar(12.5, 3), bar(13.5, 0)], 4, 4);
    expect([sideTie.valueLow[3], sideTie.valueHigh[3]]).toEqual([10, 12]);
    const flat = volumeProfile([{ low: 5, high: 5, vwap: 5, volume: 3 }], 1, 10);
    expect([flat.poc[0], flat.valueLow[0], flat.valueHigh[0]]).toEqual([5, 5, 5]);
    // A VWAP on the top edge falls in the last bin, not past it.
    expect(volumeProfile([bar(14, 1)], 1, 4).poc[0]).toBe(13.5);
  });

  it('bollinger collapses on a constant series and matches a hand computation', () => {
    for (const c of [5, 0.1]) {
      const b = bollinger(new Array(25).fill(c), 20, 2);
      expect(b.percentB.slice(19)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
      expect(b.upper[24]).toBe(b.lower[24]);
      expect(b.middle[24]).toBeCloseTo(c, 15);
    }
    // mean 3, population variance 2: bands 3 ± 2√2, %B of 5 = (1 + √2) / (2√2).
    const b = bollinger([1, 2, 3, 4, 5], 5, 2);
    expect(b.upper[4]).toBeCloseTo(3 + 2 * Math.SQRT2, 14);
    expect(b.percentB[4]).toBeCloseTo((1 + Math.SQRT2) / (2 * Math.SQRT2), 14);
  });

  it('realisedVol is the root of summed squared returns', () => {
    const v = realisedVol([0.01, -0.02, 0.02], 2);
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v[1]).toBeCloseTo(Math.sqrt(0.0005), 15);
    expect(v[2]).toBeCloseTo(Math.sqrt(0.0008), 15);
  });
});

describe('barFeatures', () => {
  const bars: Bar[] = Array.from({ length: 60 }, (_, i) => {
    const close = 100 + 5 * Math.sin(i / 3) + i * 0.1;
    return { symbol: 'AAA', start: T0 + i * 60_000, open: close, high: close + 1, low: close - 1, close, volume: 100 + (i % 7) * 10, vwap: close, trades: 3 };
  });

  it('drops warm-up rows and the last row, with next-bar log return targets', () => {
    const f = barFeatures(bars);
    expect(f.names).toHaveLength(11);
    expect(f.names[0]).toBe('log_return');
    expect(f.rows).toHaveLength(60 - 33 - 1);
    expect(f.times[0]).toBe(bars[33].start);
    expect(f.times[f.times.length - 1]).toBe(bars[58].start);
    expect(f.targets[0]).toBe(Math.log(bars[34].close / bars[33].close));
    const row = f.rows[0];
    expect(row[0]).toBe(Math.log(bars[33].close / bars[32].close));
    expect(row[1]).toBeCloseTo(bars[33].close / sma(bars.map((b) => b.close), 10)[33] - 1, 15);
    expect(f.rows.every((r) => r.length === 11 && r.every(Number.isFinite))).toBe(true);
    const profile = volumeProfile(bars, 30, 10);
    expect(row[f.names.indexOf('close_poc30_ratio')]).toBe(bars[33].close / profile.poc[33] - 1);
    const position = row[f.names.indexOf('value_area30_position')];
    expect(position).toBe((bars[33].close - profile.valueLow[33]) / (profile.valueHigh[33] - profile.valueLow[33]));
  });

  it('uses no future bars', () => {
    const changed = bars.map((b, i) => (i > 40 ? { ...b, close: b.close * 2, volume: 1 } : b));
    const a = barFeatures(bars), b = barFeatures(changed);
    expect(b.rows.slice(0, 40 - 33 + 1)).toEqual(a.rows.slice(0, 40 - 33 + 1));
  });

  it('rejects mixed symbols', () => {
    expect(() => barFeatures([bars[0], { ...bars[1], symbol: 'BBB' }])).toThrow(/bar 1/);
  });
});
