/** Readings → an evenly spaced series of bucket means, with documented gap filling. */
import { DataError } from '../errors';
import { DATA_LIMIT_ENV, DEFAULT_DATA_LIMITS } from '../limits';
import { DAY_MS, HOUR_MS, HourlyPoint, PowerReading } from './types';

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
