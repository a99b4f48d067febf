/** A generator of UCI-format household power files for offline runs: daily and weekly load shape, noise, outages. */
import { createRng } from '../random';
import { DAY_MS, MINUTE_MS, POWER_HEADER } from './types';

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
