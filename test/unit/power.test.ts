import { DataError } from '../../src/data/errors';
import { generatePowerText, parsePowerText, POWER_HEADER, PowerReading, powerFeatures, resampleHourly } from '../../src/data/power';
import { createRng } from '../../src/data/random';

const H = 3_600_000;
const DAY0 = Date.UTC(2007, 0, 1); // a Monday

describe('parsePowerText', () => {
  const text = [
    POWER_HEADER, // line 1
    '16/12/2006;17:24:00;4.216;0.418;234.840;18.400;0.000;1.000;17.000', // 2
    '16/12/2006;17:25:00;?;?;?;?;?;?;?', // 3 missing
    '32/12/2006;17:26:00;1.000;0.100;240.000;4.000;0.000;0.000;0.000', // 4 bad date
    '16/12/2006;17:27:00;1.000;0.100;240.000;4.000;0.000;0.000', // 5 eight columns
    '16/12/2006;17:28:00;abc;0.100;240.000;4.000;0.000;0.000;0.000', // 6 bad number
    '1/1/2007;00:00:00;?;?;?;?;?;?;', // 7 missing, empty last field as in the real file
    '',
  ].join('\n');

  it('parses values, nulls for ?, and records malformed rows with line numbers', () => {
    const r = parsePowerText(text, 'household.txt', { maxMalformedFraction: 0.5 });
    expect(r.malformed).toEqual([
      { line: 4, reason: 'bad date "32/12/2006"' },
      { line: 5, reason: 'expected 9 columns, got 8' },
      { line: 6, reason: 'bad number "abc" in Global_active_power' },
    ]);
    expect(r.missing).toBe(2);
    expect(r.readings).toHaveLength(3);
    expect(r.readings[0]).toEqual({
      ts: Date.UTC(2006, 11, 16, 17, 24),
      globalActivePower: 4.216,
      globalReactivePower: 0.418,
      voltage: 234.84,
      globalIntensity: 18.4,
      subMetering1: 0,
      subMetering2: 1,
      subMetering3: 17,
    });
    expect(r.readings[1].globalActivePower).toBeNull();
    expect(r.readings[2]).toMatchObject({ ts: DAY0, voltage: null, subMetering3: null });
  });

  it('throws naming the file and the first bad lines above the malformed limit', () => {
    expect(() => parsePowerText(text, 'household.txt')).toThrow(DataError);
    expect(() => parsePowerText(text, 'household.txt')).toThrow(/household\.txt line 4: 3 of 6 rows malformed.*line 4 .*line 5 .*line 6 /);
  });

  it('throws for a wrong header at line 1', () => {
    expect(() => parsePowerText('Date,Time\n', 'h.txt')).toThrow(/h\.txt line 1/);
  });
});

describe('parsePowerText: plausibility and time order', () => {
  const row = (date: string, time: string, active: string) => `${date};${time};${active};0.100;240.000;4.000;0.000;0.000;0.000`;
  const limits = { minTime: Date.UTC(1970, 0, 1), maxTime: Date.UTC(2100, 0, 1), powerMaxKw: 100 };

  it('fails at once on a date outside the accepted range, naming file and line', () => {
    const text = [POWER_HEADER, row('1/1/2026', '00:00:00', '1.0'), row('1/1/9999', '00:01:00', '1.0')].join('\n');
    expect(() => parsePowerText(text, 'p.txt', { limits })).toThrow(
      new DataError('date 1/1/9999 00:01:00 is outside the accepted dates 1970-01-01 to 2100-01-01 (DML_DATA_MIN_DATE, DML_DATA_MAX_DATE)', 'p.txt', 'line 3'),
    );
  });

  it('skips and lists impossible values, counts duplicate and backward timestamps', () => {
    const lines = [POWER_HEADER];
    for (let m = 0; m < 400; m++) lines.push(row('1/1/2026', `0${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:00`, '1.0'));
    lines[10] = row('1/1/2026', '00:08:00', '-5');
    lines[20] = row('1/1/2026', '00:18:00', '1e39');
    lines[30] = lines[29]; // the same minute again
    lines[40] = row('1/1/2026', '00:01:00', '1.0'); // back in time
    const parsed = parsePowerText(lines.join('\n'), 'p.txt', { limits });
    expect(parsed.implausible).toEqual([
      { line: 11, reason: 'Global_active_power -5 outside 0..100 kW' },
      { line: 21, reason: 'Global_active_power 1e39 outside 0..100 kW' },
    ]);
    expect(parsed.malformed).toEqual([]);
    expect(parsed.readings).toHaveLength(398);
    expect({ duplicates: parsed.duplicateTimestamps, backward: parsed.backwardTimestamps }).toEqual({ duplicates: 1, backward: 1 });
  });
});

describe('generatePowerText', () => {
  it('is deterministic, parses cleanly and has gaps and the real formatting', () => {
    const opts = { start: new Date(DAY0), days: 2, seed: 4, gapProbability: 0.01 };
    const text = generatePowerText(opts);
    expect(generatePowerText(opts)).toBe(text);
    expect(generatePowerText({ ...opts, seed: 5 })).not.toBe(text);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(POWER_HEADER);
    expect(lines[1]).toMatch(/^1\/1\/2007;00:00:00;\d+\.\d{3};\d+\.\d{3};\d+\.\d{3};\d+\.\d{3};\d+\.000;\d+\.000;\d+\.000$/);
    const r = parsePowerText(text, 'gen.txt', { maxMalformedFraction: 0 });
    expect(r.readings).toHaveLength(2 * 1440);
    expect(r.missing).toBeGreaterThan(0);
    expect(r.readings[1439].ts).toBe(DAY0 + 1439 * 60_000);
    expect(resampleHourly(r.readings)).toHaveLength(48);
  });
});

function reading(ts: number, p: number | null): PowerReading {
  return { ts, globalActivePower: p, globalReactivePower: null, voltage: null, globalIntensity: null, subMetering1: null, subMetering2: null, subMetering3: null };
}

describe('resampleHourly', () => {
  it('averages per hour, interpolates inner gaps, fills the ends', () => {
    const readings = [
      reading(DAY0 + 5 * 60_000, null), // hour 0: no data → back-filled from hour 1
      reading(DAY0 + H, 1),
      reading(DAY0 + H + 60_000, 2),
      reading(DAY0 + H + 120_000, 3), // hour 1: mean 2
      reading(DAY0 + 2 * H + 5, null), // hours 2 and 3: interpolated 4, 6
      reading(DAY0 + 4 * H + 59 * 60_000, 8), // hour 4
      reading(DAY0 + 6 * H, null), // hours 5, 6: forward-filled 8
    ];
    expect(resampleHourly(readings)).toEqual([
      { ts: DAY0, value: 2, count: 0 },
      { ts: DAY0 + H, value: 2, count: 3 },
      { ts: DAY0 + 2 * H, value: 4, count: 0 },
      { ts: DAY0 + 3 * H, value: 6, count: 0 },
      { ts: DAY0 + 4 * H, value: 8, count: 1 },
      { ts: DAY0 + 5 * H, value: 8, count: 0 },
      { ts: DAY0 + 6 * H, value: 8, count: 0 },
    ]);
  });

  it('refuses to build a grid larger than the limit, before allocating it', () => {
    const reading = (ts: number): PowerReading => ({ ts, globalActivePower: 1, globalReactivePower: 0, voltage: 240, globalIntensity: 4, subMetering1: 0, subMetering2: 0, subMetering3: 0 });
    expect(() => resampleHourly([reading(DAY0), reading(DAY0 + 1000 * H)], H, 1000)).toThrow(
      new DataError(
        'readings from 2007-01-01T00:00:00.000Z to 2007-02-11T16:00:00.000Z make 1001 buckets of 60 min, more than the limit of 1000 (DML_MAX_SERIES_POINTS); narrow the window or use longer buckets',
        undefined,
        'day 2007-01-01',
      ),
    );
  });

  it('throws when a whole UTC day has no data', () => {
    const readings = [reading(DAY0 + 23 * H, 1), reading(DAY0 + 48 * H, 2)];
    expect(() => resampleHourly(readings)).toThrow(DataError);
    expect(() => resampleHourly(readings)).toThrow(/day 2007-01-02/);
    // 23 empty hours are still interpolated.
    expect(resampleHourly([reading(DAY0, 1), reading(DAY0 + 24 * H, 25)])[12]).toEqual({ ts: DAY0 + 12 * H, value: 13, count: 0 });
  });
});

describe('powerFeatures', () => {
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ ts: DAY0 + i * H, value: f(i) }));

  it('computes lags, rolling stats and calendar fields exactly', () => {
    const s = series(8, (i) => i * i); // 0 1 4 9 16 25 36 49
    const f = powerFeatures(s, { lags: [1, 2], rolling: [2], horizon: 1 });
    expect(f.names).toEqual(['lag_1', 'lag_2', 'roll_mean_2', 'roll_std_2', 'hour', 'day_of_week', 'month']);
    // First row t = 1 (lag_2 needs t - 1 >= 0, window 2 needs t >= 1); last t = 6 (target at 7).
    expect(f.times).toEqual(s.slice(1, 7).map((p) => p.ts));
    expect(f.rows[0]).toEqual([1, 0, 0.5, 0.5, 1, 1, 1]);
    expect(f.rows[3]).toEqual([16, 9, 12.5, 3.5, 4, 1, 1]); // t = 4
    expect(f.targets).toEqual([4, 9, 16, 25, 36, 49]);
    expect(powerFeatures(s, { lags: [2], rolling: [1], horizon: 2 }).targets).toEqual([4, 9, 16, 25, 36, 49]);
  });

  it('defaults drop rows lacking 168 hours of history', () => {
    const f = powerFeatures(series(200, (i) => i));
    expect(f.names).toHaveLength(5 + 4 + 3);
    expect(f.rows).toHaveLength(200 - 167 - 1);
    expect(f.rows[0].slice(0, 5)).toEqual([167, 166, 165, 144, 0]);
  });

  it('does not look ahead: changing values after t leaves the row at t unchanged', () => {
    const rng = createRng(1);
    const base = series(400, () => rng.next());
    const t = 250;
    const changed = base.map((p, i) => (i > t ? { ...p, value: p.value + 100 } : p));
    const a = powerFeatures(base), b = powerFeatures(changed);
    const row = a.times.indexOf(base[t].ts);
    expect(row).toBeGreaterThan(0);
    expect(b.rows.slice(0, row + 1)).toEqual(a.rows.slice(0, row + 1));
    expect(b.targets[row]).not.toEqual(a.targets[row]); // the target is the only thing that moved
  });

  it('rejects uneven series, non-finite values and lags that would peek ahead', () => {
    expect(() => powerFeatures([{ ts: 0, value: 1 }, { ts: H, value: 1 }, { ts: 3 * H, value: 1 }])).toThrow(/series\[2\]/);
    expect(() => powerFeatures([{ ts: 0, value: NaN }])).toThrow(DataError);
    expect(() => powerFeatures(series(10, (i) => i), { lags: [1], horizon: 2 })).toThrow(RangeError);
  });
});
