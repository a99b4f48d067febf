import { lttbIndices, MAX_POINTS } from './downsample';
import { PlotInputError } from './errors';
import { renderVegaLite, titleOf, type ChartOptions } from './render';

export interface LineSeries {
  name: string;
  x: number[] | Date[];
  y: number[];
}

export interface LineChartOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  /** x values are times (epoch milliseconds or Dates); axes are labelled in UTC. Implied when x holds Dates. */
  xIsTime?: boolean;
  /** Points kept per series (LTTB downsampling above it). Default 2000. */
  maxPoints?: number;
}

interface Row {
  series: string;
  x: number;
  y: number;
}

function xValue(v: unknown, where: string): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  throw new PlotInputError(`${where}: x values must be numbers or Dates, got ${typeof v}`);
}

/** Validates the series and returns their finite points, sorted by x and downsampled. */
export function seriesRows(series: LineSeries[], maxPoints: number, fn: string): { rows: Row[]; hasDates: boolean } {
  if (!Array.isArray(series) || series.length === 0) throw new PlotInputError(`${fn}: no series given`);
  const names = new Set<string>();
  const rows: Row[] = [];
  let hasDates = false;
  for (const s of series) {
    if (!s || typeof s.name !== 'string' || s.name === '') throw new PlotInputError(`${fn}: every series needs a non-empty name`);
    if (names.has(s.name)) throw new PlotInputError(`${fn}: duplicate series name ${JSON.stringify(s.name)}`);
    names.add(s.name);
    if (!Array.isArray(s.x) || !Array.isArray(s.y)) throw new PlotInputError(`${fn}: series ${JSON.stringify(s.name)} needs x and y arrays`);
    if (s.x.length !== s.y.length) {
      throw new PlotInputError(`${fn}: series ${JSON.stringify(s.name)} has ${s.x.length} x values but ${s.y.length} y values`);
    }
    const pts: { x: number; y: number }[] = [];
    for (let i = 0; i < s.x.length; i++) {
      if (s.x[i] instanceof Date) hasDates = true;
      const x = xValue(s.x[i], fn);
      const y = s.y[i];
      if (Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y)) pts.push({ x, y });
    }
    if (pts.some((p, i) => i > 0 && p.x < pts[i - 1].x)) pts.sort((a, b) => a.x - b.x);
    const keep = lttbIndices(
      pts.map((p) => p.x),
      pts.map((p) => p.y),
      maxPoints,
    );
    for (const i of keep) rows.push({ series: s.name, x: pts[i].x, y: pts[i].y });
  }
  if (rows.length === 0) throw new PlotInputError(`${fn}: no finite (x, y) points in any series`);
  return { rows, hasDates };
}

/** Line chart of one or more series (equity curves, predictions vs actual over time). */
export async function lineChartPng(series: LineSeries[], opts: LineChartOptions = {}): Promise<Buffer> {
  const maxPoints = opts.maxPoints ?? MAX_POINTS;
  const { rows, hasDates } = seriesRows(series, maxPoints, 'lineChartPng');
  const isTime = opts.xIsTime ?? hasDates;
  const names = series.map((s) => s.name);
  const spec = {
    ...titleOf(opts.title),
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.6, clip: true },
    encoding: {
      x: isTime
        ? { field: 'x', type: 'temporal', title: opts.xTitle ?? null, scale: { type: 'utc' }, axis: { labelOverlap: true } }
        : { field: 'x', type: 'quantitative', title: opts.xTitle ?? null, scale: { zero: false, nice: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? null, scale: { zero: false } },
      color: {
        field: 'series',
        type: 'nominal',
        sort: names,
        scale: { domain: names },
        legend: names.length > 1 ? { title: null, orient: 'top', symbolType: 'stroke' } : null,
      },
    },
  };
  return renderVegaLite(spec, { width: opts.width ?? 800, height: opts.height ?? 420, scale: opts.scale });
}
