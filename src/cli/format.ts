/** Plain-text output helpers: aligned tables, times, metrics. */
import { formatMetric } from '../format';

export function printTable(header: string[], rows: string[][], out: (line: string) => void = console.log): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  out(line(header));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r) => out(line(r)));
}

/** ISO time to the second, UTC: unambiguous and sortable. */
export function formatTime(t: Date | number | undefined | null): string {
  if (t === undefined || t === null) return '-';
  const d = typeof t === 'number' ? new Date(t) : t;
  return Number.isNaN(d.getTime()) ? '-' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export function formatNumber(v: unknown): string {
  return typeof v === 'number' ? formatMetric(v) : String(v);
}

export function formatMetrics(metrics: Record<string, unknown> | undefined, keys?: string[]): string {
  if (!metrics) return '';
  const picked = keys ?? Object.keys(metrics).sort();
  return picked
    .filter((k) => k in metrics)
    .map((k) => `${k}=${formatNumber(metrics[k])}`)
    .join(' ');
}

/** Loss-like metrics first, then the rest: what a person watching training looks at. */
export function lossFirst(keys: string[], max = keys.length): string[] {
  const lossy = (k: string) => /loss|rmse/.test(k);
  return [...keys.filter(lossy).sort(), ...keys.filter((k) => !lossy(k)).sort()].slice(0, max);
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
