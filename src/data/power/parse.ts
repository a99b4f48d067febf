/**
 * UCI "Individual household electric power consumption": a generator for offline runs, a
 * parser that tolerates (and reports) a few bad rows, hourly resampling with documented gap
 * filling, and leak-free forecasting features.
 */
import { DataError } from '../errors';
import { DATA_LIMIT_ENV, DataLimits, dateRangeText, DEFAULT_DATA_LIMITS } from '../limits';
import { readRegularFile } from '../paths';
import { createRng } from '../random';

export const POWER_HEADER =
  'Date;Time;Global_active_power;Global_reactive_power;Voltage;Global_intensity;Sub_metering_1;Sub_metering_2;Sub_metering_3';

export interface PowerReading {
  /** Epoch ms; the file's local timestamps are treated as UTC (the data has no zone). */
  ts: number;
  /** kW; null where the file has `?`. */
  globalActivePower: number | null;
  globalReactivePower: number | null;
  voltage: number | null;
  globalIntensity: number | null;
  subMetering1: number | null;
  subMetering2: number | null;
  subMetering3: number | null;
}

export interface HourlyPoint {
  ts: number;
  value: number;
  /** Readings averaged into this bucket; 0 means the value was filled in. */
  count: number;
}

export interface FeatureTable {
  names: string[];
  rows: number[][];
  times: number[];
  targets: number[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Generation

const bump = (h: number, centre: number, width: number): number => Math.exp(-0.5 * ((h - centre) / width) ** 2);

/** Mean household load (kW) by hour of day, weekday/weekend, and day of year (winter heating). */
function expectedLoad(ts: number): number {
  const d = new Date(ts);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  const dayOfYear = (ts - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS;
  const season = 1 + 0.25 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
  const daily = weekend
    ? 0.35 + 1.0 * bump(h, 9.5, 1.5) + 0.9 * bump(h, 13, 2) + 2.0 * bump(h, 19.5, 1.8)
    : 0.35 + 1.3 * bump(h, 7.5, 1.0) + 0.4 * bump(h, 12.5, 1.5) + 2.0 * bump(h, 19.5, 1.8);
  return daily * season;
}

export function formatPowerDate(ts: number): { date: string; time: string } {
  const d = new Date(ts);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`,
    time: `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
  };
}

/**
 * One row per minute for `days` days from `start`. gapProbability (default 0.0005) is the chance
 * that a minute starts an outage of 1..180 minutes written as `?` rows, like the real file;
 * outages are kept shorter than a day so the series always resamples.
 */
export function generatePowerText(opts: { start: Date; days: number; seed: number; gapProbability?: number }): string {
  const rng = createRng(opts.seed);
  const gapProbability = opts.gapProbability ?? 0.0005;
  const start = opts.start.getTime();
  const minutes = Math.round(opts.days * 1440);
  const lines = [POWER_HEADER];
  let noise = 0; // AR(1) in log space: persistent deviations, like appliances left on
  let gapLeft = 0;
  let appliance = 0; // minutes left of a kettle/oven-like burst
  for (let m = 0; m < minutes; m++) {
    const ts = start + m * MINUTE_MS;
    const { date, time } = formatPowerDate(ts);
    noise = 0.97 * noise + 0.1 * rng.normal();
    if (appliance === 0 && rng.next() < 0.004) appliance = 3 + rng.int(25);
    const burst = appliance > 0 ? 2 : 0;
    if (appliance > 0) appliance--;
    if (gapLeft === 0 && rng.next() < gapProbability) gapLeft = 1 + rng.int(180);
    if (gapLeft > 0) {
      gapLeft--;
      lines.push(`${date};${time};?;?;?;?;?;?;?`);
      continue;
    }
    const active = Math.max(0.076, expectedLoad(ts) * Math.exp(noise) + burst);
    const reactive = Math.max(0, 0.12 + 0.08 * rng.normal());
    const voltage = 240 + 2.5 * Math.sin((2 * Math.PI * m) / 1440) + 1.2 * rng.normal();
    // The meter reports current in steps of 0.2 A.
    const intensity = Math.round(((active * 1000) / voltage) * 5) / 5;
    // Sub-meters (Wh in the minute) account for part of the total active energy.
    const energyWh = (active * 1000) / 60;
    const sub1 = burst > 0 ? Math.round(energyWh * 0.5) : 0;
    const sub2 = rng.next() < 0.3 ? Math.min(2, Math.floor(energyWh * 0.1)) : 0;
    const sub3 = Math.round(Math.min(19, energyWh * 0.35 * rng.next()));
    lines.push(
      [date, time, active.toFixed(3), reactive.toFixed(3), voltage.toFixed(3), intensity.toFixed(3), sub1.toFixed(3), sub2.toFixed(3), sub3.toFixed(3)].join(';'),
    );
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Parsing

const DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const VALUE_COLUMNS = POWER_HEADER.split(';').slice(2);

function parseDateTime(date: string, time: string): number | string {
  const dm = DATE.exec(date);
  if (!dm) return `bad date "${date}"`;
  const [day, month, year] = dm.slice(1).map(Number);
  const ts0 = Date.UTC(year, month - 1, day);
  const check = new Date(ts0);
  if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return `bad date "${date}"`;
  const tm = TIME.exec(time);
  if (!tm) return `bad time "${time}"`;
  const [h, mi, s] = tm.slice(1).map(Number);
  if (h > 23 || mi > 59 || s > 59) return `bad time "${time}"`;
  return ts0 + ((h * 60 + mi) * 60 + s) * 1000;
}

/** Physical ceilings per value column (all are >= 0): kW for power, V, A, and Wh per minute for the sub-meters. */
function ceilings(maxKw: number): { max: number; unit: string }[] {
  const kw = { max: maxKw, unit: 'kW' };
  const whPerMinute = { max: (maxKw * 1000) / 60, unit: 'Wh' };
  return [kw, kw, { max: 1000, unit: 'V' }, { max: maxKw * 10, unit: 'A' }, whPerMinute, whPerMinute, whPerMinute];
}

export interface ParsedPower {
  readings: PowerReading[];
  /** Rows skipped because they cannot be read (column count, date, number). */
  malformed: { line: number; reason: string }[];
  /** Rows skipped because a value is physically impossible (negative, or above its column's ceiling). */
  implausible: { line: number; reason: string }[];
  /** Rows with at least one missing value. */
  missing: number;
  /** Rows with the same timestamp as the row before (averaged into their bucket by resampling). */
  duplicateTimestamps: number;
  /** Rows earlier than a row above them (placed by their timestamp when resampling). */
  backwardTimestamps: number;
}

/**
 * Parses the semicolon file. `?` (and an empty field, as in the real file's last column) means
 * missing → null. Rows with a wrong column count, bad date/time or bad number are skipped and
 * listed in `malformed`; rows with an impossible value (negative, or above its column's ceiling, e.g.
 * more than DML_POWER_MAX_KW kW) in `implausible`; more than maxMalformedFraction of the two together is an
 * error. A timestamp outside the accepted date range (DataLimits) is an error at once: one such row would
 * otherwise make resampling allocate a grid over centuries. Duplicate and backward timestamps are counted.
 */
export function parsePowerText(
  text: string,
  file: string,
  opts: { maxMalformedFraction?: number; limits?: Pick<DataLimits, 'minTime' | 'maxTime' | 'powerMaxKw'> } = {},
): ParsedPower {
  const maxMalformed = opts.maxMalformedFraction ?? 0.01;
  const limits = opts.limits ?? DEFAULT_DATA_LIMITS;
  const columnCeilings = ceilings(limits.powerMaxKw);
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const header = lines[0].replace(/\r$/, '');
  if (header !== POWER_HEADER) {
    throw new DataError(`expected header "${POWER_HEADER}", got "${header.slice(0, 120)}"`, file, 'line 1');
  }
  const out: ParsedPower = { readings: [], malformed: [], implausible: [], missing: 0, duplicateTimestamps: 0, backwardTimestamps: 0 };
  let rows = 0;
  let previous = -Infinity;
  let latest = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    rows++;
    const lineNo = i + 1;
    const f = line.split(';');
    if (f.length !== 9) {
      out.malformed.push({ line: lineNo, reason: `expected 9 columns, got ${f.length}` });
      continue;
    }
    const ts = parseDateTime(f[0], f[1]);
    if (typeof ts === 'string') {
      out.malformed.push({ line: lineNo, reason: ts });
      continue;
    }
    if (ts < limits.minTime || ts >= limits.maxTime) {
      throw new DataError(`date ${f[0]} ${f[1]} is outside the ${dateRangeText(limits)}`, file, `line ${lineNo}`);
    }
    const values: (number | null)[] = [];
    let bad: string | null = null;
    let impossible: string | null = null;
    for (let c = 0; c < 7 && bad === null; c++) {
      const v = f[c + 2];
      if (v === '?' || v === '') values.push(null);
      else if (DECIMAL.test(v)) {
        const value = Number(v);
        const { max, unit } = columnCeilings[c];
        if (impossible === null && !(value >= 0 && value <= max)) impossible = `${VALUE_COLUMNS[c]} ${v} outside 0..${max} ${unit}`;
        values.push(value);
      } else bad = `bad number "${v.slice(0, 40)}" in ${VALUE_COLUMNS[c]}`;
    }
    if (bad !== null) {
      out.malformed.push({ line: lineNo, reason: bad });
      continue;
    }
    if (impossible !== null) {
      out.implausible.push({ line: lineNo, reason: impossible });
      continue;
    }
    if (ts === previous) out.duplicateTimestamps++;
    else if (ts < latest) out.backwardTimestamps++;
    previous = ts;
    latest = Math.max(latest, ts);
    if (values.includes(null)) out.missing++;
    out.readings.push({
      ts,
      globalActivePower: values[0],
      globalReactivePower: values[1],
      voltage: values[2],
      globalIntensity: values[3],
      subMetering1: values[4],
      subMetering2: values[5],
      subMetering3: values[6],
    });
  }
  const skipped = [...out.malformed, ...out.implausible].sort((a, b) => a.line - b.line);
  if (rows > 0 && skipped.length / rows > maxMalformed) {
    const first = skipped.slice(0, 5).map((m) => `line ${m.line} (${m.reason})`).join(', ');
    const what = out.implausible.length === 0 ? 'malformed' : out.malformed.length === 0 ? 'implausible' : 'malformed or implausible';
    throw new DataError(
      `${skipped.length} of ${rows} rows ${what} (allowed ${maxMalformed * 100}%); first: ${first}`,
      file,
      `line ${skipped[0].line}`,
    );
  }
  return out;
}

export async function readPowerFile(
  file: string,
  opts: { maxMalformedFraction?: number; limits?: DataLimits } = {},
): Promise<ParsedPower> {
  return parsePowerText((await readRegularFile(file, opts.limits)).toString('utf8'), file, opts);
}

// ---------------------------------------------------------------------------------------------
// Resampling

const isoDay = (ts: number): string => new Date(ts).toISOString().slice(0, 10);

/**
 * Mean global active power per bucket, from the first to the last reading's bucket.
 * Fill policy for buckets without data (their count stays 0):
 *  - between two known buckets: linear interpolation in time;
 *  - after the last known bucket: forward-fill; before the first one: back-fill.
 * A run of empty buckets lasting 24 hours or more (so any whole UTC day) is a DataError:
 * inventing a full day of load would teach the model our interpolation, not the household.
 */
export function resampleHourly(readings: PowerReading[], bucketMs = HOUR_MS, maxPoints = DEFAULT_DATA_LIMITS.maxSeriesPoints): HourlyPoint[] {
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be positive, got ${bucketMs}`);
  if (readings.length === 0) return [];
  let firstKey = Infinity, lastKey = -Infinity;
  for (const r of readings) {
    const k = Math.floor(r.ts / bucketMs);
    if (k < firstKey) firstKey = k;
    if (k > lastKey) lastKey = k;
  }
  const n = lastKey - firstKey + 1;
  // The grid is allocated before any reading fills it: its size is what input could blow up.
  if (!(n <= maxPoints)) {
    throw new DataError(
      `readings from ${new Date(firstKey * bucketMs).toISOString()} to ${new Date(lastKey * bucketMs).toISOString()} make ${n} buckets of ` +
        `${bucketMs / 60_000} min, more than the limit of ${maxPoints} (${DATA_LIMIT_ENV.maxSeriesPoints}); narrow the window or use longer buckets`,
      undefined,
      `day ${isoDay(firstKey * bucketMs)}`,
    );
  }
  const sum = new Float64Array(n);
  const count = new Uint32Array(n);
  for (const r of readings) {
    if (r.globalActivePower === null || Number.isNaN(r.globalActivePower)) continue;
    const i = Math.floor(r.ts / bucketMs) - firstKey;
    sum[i] += r.globalActivePower;
    count[i]++;
  }
  const out: HourlyPoint[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ ts: (firstKey + i) * bucketMs, value: count[i] > 0 ? sum[i] / count[i] : NaN, count: count[i] });
  }

  let prevKnown = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && count[i] === 0) continue;
    const gap = i - prevKnown - 1; // empty buckets between prevKnown and i
    if (gap * bucketMs >= DAY_MS) {
      const from = out[prevKnown + 1].ts;
      throw new DataError(`no power readings for ${gap} buckets (${(gap * bucketMs) / HOUR_MS} h) from ${new Date(from).toISOString()}`, undefined, `day ${isoDay(from)}`);
    }
    for (let j = prevKnown + 1; j < i; j++) {
      if (prevKnown < 0 && i === n) throw new DataError('no global active power readings at all', undefined, `day ${isoDay(out[0].ts)}`);
      if (prevKnown < 0) out[j].value = out[i].value;
      else if (i === n) out[j].value = out[prevKnown].value;
      else {
        const a = out[prevKnown].value, b = out[i].value;
        out[j].value = a + ((b - a) * (j - prevKnown)) / (i - prevKnown);
      }
    }
    prevKnown = i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Features

/**
 * Forecast table for target value[t + horizon] from information at or before t only.
 * lag_k is the value k steps before the TARGET, i.e. value[t + horizon - k] (so lag_1 with
 * horizon 1 is the latest value, lag_24 the same hour yesterday); k must be >= horizon.
 * roll_mean_w / roll_std_w (population std) cover value[t-w+1..t]. hour (0-23), day_of_week
 * (0 = Sunday) and month (1-12) are of time t, in UTC. Rows without full history or a target
 * are dropped (with includeUnlabeled, rows whose target lies past the series are kept, target NaN: what a forecast
 * predicts). The series must be evenly spaced and gap-free (e.g. from resampleHourly).
 */
export function powerFeatures(
  series: { ts: number; value: number }[],
  opts: { lags?: number[]; rolling?: number[]; horizon?: number; includeUnlabeled?: boolean } = {},
): FeatureTable {
  const lags = opts.lags ?? [1, 2, 3, 24, 168];
  const rolling = opts.rolling ?? [3, 24];
  const horizon = opts.horizon ?? 1;
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
  for (const k of lags) {
    if (!Number.isInteger(k) || k < horizon) throw new RangeError(`lag ${k} must be an integer >= horizon ${horizon} (else it peeks past t)`);
  }
  for (const w of rolling) if (!Number.isInteger(w) || w < 1) throw new RangeError(`rolling window ${w} must be a positive integer`);
  series.forEach((p, i) => {
    if (!Number.isFinite(p.value)) throw new DataError(`value ${p.value} is not finite`, undefined, `series[${i}]`);
    if (i > 1 && p.ts - series[i - 1].ts !== series[1].ts - series[0].ts) throw new DataError('series is not evenly spaced', undefined, `series[${i}]`);
    if (i > 0 && !(p.ts > series[i - 1].ts)) throw new DataError('series timestamps not increasing', undefined, `series[${i}]`);
  });

  const names = [
    ...lags.map((k) => `lag_${k}`),
    ...rolling.flatMap((w) => [`roll_mean_${w}`, `roll_std_${w}`]),
    'hour',
    'day_of_week',
    'month',
  ];
  const v = series.map((p) => p.value);
  const first = Math.max(0, ...lags.map((k) => k - horizon), ...rolling.map((w) => w - 1));
  const table: FeatureTable = { names, rows: [], times: [], targets: [] };
  const end = opts.includeUnlabeled ? v.length : v.length - horizon;
  for (let t = first; t < end; t++) {
    const row = lags.map((k) => v[t + horizon - k]);
    for (const w of rolling) {
      let s = 0;
      for (let j = t - w + 1; j <= t; j++) s += v[j];
      const mean = s / w;
      let ss = 0;
      for (let j = t - w + 1; j <= t; j++) ss += (v[j] - mean) ** 2;
      row.push(mean, Math.sqrt(ss / w));
    }
    const d = new Date(series[t].ts);
    row.push(d.getUTCHours(), d.getUTCDay(), d.getUTCMonth() + 1);
    table.rows.push(row);
    table.times.push(series[t].ts);
    table.targets.push(t + horizon < v.length ? v[t + horizon] : NaN);
  }
  return table;
}
