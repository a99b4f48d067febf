import { PlotInputError } from './errors';
import { renderVegaLite, titleOf, type ChartOptions } from './render';

export interface BarItem {
  label: string;
  value: number;
}

export interface BarChartOptions extends ChartOptions {
  xTitle?: string;
  /** Bars drawn at most: those of largest |value|. Default 40. */
  maxItems?: number;
}

/** Horizontal bars sorted by value, largest on top (feature importance). */
export async function barChartPng(items: BarItem[], opts: BarChartOptions = {}): Promise<Buffer> {
  if (!Array.isArray(items) || items.length === 0) throw new PlotInputError('barChartPng: no items given');
  const seen = new Set<string>();
  for (const it of items) {
    if (!it || typeof it.label !== 'string') throw new PlotInputError('barChartPng: every item needs a string label');
    if (typeof it.value !== 'number' || !Number.isFinite(it.value)) {
      throw new PlotInputError(`barChartPng: value of ${JSON.stringify(it.label)} is not a finite number`);
    }
    if (seen.has(it.label)) throw new PlotInputError(`barChartPng: duplicate label ${JSON.stringify(it.label)}`);
    seen.add(it.label);
  }
  const maxItems = opts.maxItems ?? 40;
  // Stable ordering: ties keep input order.
  const byMagnitude = items.map((it, i) => ({ ...it, i })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.i - b.i);
  const rows = byMagnitude
    .slice(0, maxItems)
    .sort((a, b) => b.value - a.value || a.i - b.i)
    .map(({ label, value }) => ({ label, value }));
  const spec = {
    ...titleOf(opts.title),
    data: { values: rows },
    mark: { type: 'bar', color: '#4c78a8', cornerRadiusEnd: 1 },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelLimit: 260, ticks: false } },
      x: { field: 'value', type: 'quantitative', title: opts.xTitle ?? null },
    },
  };
  const height = opts.height ?? Math.min(1600, Math.max(200, 70 + 20 * rows.length));
  return renderVegaLite(spec, { width: opts.width ?? 720, height, scale: opts.scale });
}
