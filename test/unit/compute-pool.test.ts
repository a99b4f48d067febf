/**
 * The compute threads (src/compute): the same results as on the event loop, errors that keep their kind (a bad
 * power file stays a non-retryable DataError naming the file and line), and threads that really are other threads.
 */
import { createComputePool, type ComputePool } from '../../src/compute';
import { DataError } from '../../src/data/errors';
import { DEFAULT_DATA_LIMITS } from '../../src/data/limits';
import { addPowerFile, buildPowerArrays, emptyPowerInput, generatePowerText, parsePowerText } from '../../src/data/power';
import { isRetryable } from '../../src/errors';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);
const text = generatePowerText({ start: new Date(START), days: 30, seed: 3 });
const request = (bytes: Uint8Array) => ({
  files: [{ file: 'raw/power/household.txt', bytes }],
  window: { start: START, end: START + 25 * DAY },
  bucketMs: 3_600_000,
  horizon: 1,
  limits: DEFAULT_DATA_LIMITS,
});

describe('compute pool', () => {
  const threaded = createComputePool(2);
  const inline = createComputePool(0);
  afterAll(() => threaded.close());

  it('builds the same power arrays on a thread as on the event loop', async () => {
    const [a, b] = await Promise.all([threaded.run('powerArrays', request(Buffer.from(text))), inline.run('powerArrays', request(Buffer.from(text)))]);
    expect(Object.keys(a.arrays).sort()).toEqual(Object.keys(b.arrays).sort());
    for (const name of Object.keys(b.arrays)) {
      expect(a.arrays[name].shape).toEqual(b.arrays[name].shape);
      expect(Array.from(a.arrays[name].data)).toEqual(Array.from(b.arrays[name].data));
    }
    expect(a.info).toEqual(b.info);
    expect(a.report).toEqual(b.report);
    expect(a.arrays.x_train.shape[0]).toBeGreaterThan(100);
  });

  it('keeps a bad file a non-retryable DataError naming the file and the line', async () => {
    const bad = text.replace(/\n(\d+\/\d+\/\d{4});/, '\n99/99/2026;');
    const lines = text.split('\n');
    const lineNo = lines.findIndex((l, i) => i > 0 && l !== bad.split('\n')[i]) + 1;
    const strict = { ...request(Buffer.from(bad)), limits: DEFAULT_DATA_LIMITS };
    // One bad row is tolerated (and reported); a file of them is refused.
    const manyBad = text.replace(/\n\d+\/\d+\/\d{4};/g, '\n31/02/2026;');
    for (const pool of [threaded, inline] as ComputePool[]) {
      const report = (await pool.run('powerArrays', strict)).report;
      expect(report.malformed).toEqual([{ file: 'household.txt', line: lineNo, reason: 'bad date "99/99/2026"' }]);
      const err = await pool.run('powerArrays', request(Buffer.from(manyBad))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect(isRetryable(err)).toBe(false);
      expect((err as Error).message).toMatch(/^raw\/power\/household\.txt line 2: \d+ of \d+ rows malformed/);
    }
  });

  it('renders charts to the same PNG bytes, returned as a Buffer', async () => {
    const items = [
      { label: 'lag_1', value: 3 },
      { label: 'hour', value: 1 },
    ];
    const [a, b] = await Promise.all([threaded.run('barChartPng', items, { title: 't', width: 300, height: 160 }), inline.run('barChartPng', items, { title: 't', width: 300, height: 160 })]);
    expect(Buffer.isBuffer(a)).toBe(true);
    expect(a.equals(b)).toBe(true);
    expect(a.subarray(1, 4).toString()).toBe('PNG');
  });

  it('runs tasks beside the event loop, which stays free meanwhile', async () => {
    const big = Buffer.from(generatePowerText({ start: new Date(START), days: 120, seed: 4 }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await threaded.run('powerArrays', { ...request(big), window: { start: START, end: START + 119 * DAY } });
    clearInterval(timer);
    // Inline, the same call is one synchronous stretch with no tick at all; on a thread the timer keeps firing.
    expect(ticks).toBeGreaterThan(3);
  });

  it('reuses a parsed file for other windows without mixing them up (a backfill\'s partitions)', async () => {
    const direct = (end: number) => {
      const input = emptyPowerInput();
      addPowerFile(input, 'raw/power/household.txt', parsePowerText(text, 'raw/power/household.txt'), { start: START, end });
      return buildPowerArrays(input, ['raw/power/household.txt'], { bucketMs: 3_600_000, horizon: 1, maxSeriesPoints: DEFAULT_DATA_LIMITS.maxSeriesPoints });
    };
    for (const days of [20, 25, 22]) {
      const end = START + days * DAY;
      const got = await threaded.run('powerArrays', { ...request(Buffer.from(text)), window: { start: START, end } });
      const want = direct(end);
      expect(got.info).toEqual(want.info);
      expect(Array.from(got.arrays.y_test.data)).toEqual(Array.from(want.arrays.y_test.data));
    }
  });

  it('refuses a negative thread count', () => {
    expect(() => createComputePool(-1)).toThrow(/whole number >= 0/);
  });
});
