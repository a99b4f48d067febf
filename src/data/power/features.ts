/** Leak-free forecasting features of an evenly spaced series. */
import { DataError } from '../errors';
import { FeatureTable } from './types';

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
