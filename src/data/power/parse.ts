/** The UCI semicolon file → readings; a few bad rows are tolerated and reported, many are an error. */
import { DataError } from '../errors';
import { DataLimits, dateRangeText, DEFAULT_DATA_LIMITS } from '../limits';
import { readRegularFile } from '../paths';
import { POWER_HEADER, PowerReading } from './types';

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
