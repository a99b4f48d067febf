import { MAX_POINTS, strideIndices } from './downsample';
import { PlotInputError } from './errors';
import { renderVegaLite, titleOf, type ChartOptions } from './render';

export interface ScatterOptions extends ChartOptions {
  xTitle?: string;
  yTitle?: string;
  /** Draw the y = x line and give both axes the same range (predicted vs actual). */
  diagonal?: boolean;
  /** Points drawn at most (an evenly strided subset above it). Default 2000. */
  maxPoints?: number;
}

/** Scatter plot, e.g. predicted (y) vs actual (x) with the y = x reference line. */
export async function scatterPng(points: { x: number; y: number }[], opts: ScatterOptions = {}): Promise<Buffer> {
  if (!Array.isArray(points) || points.length === 0) throw new PlotInputError('scatterPng: no points given');
  const finite = points.filter((p) => p && Number.isFinite(p.x) && Number.isFinite(p.y)).map((p) => ({ x: p.x, y: p.y }));
  if (finite.length === 0) throw new PlotInputError('scatterPng: no point has finite x and y');
  const rows = strideIndices(finite.length, opts.maxPoints ?? MAX_POINTS).map((i) => finite[i]);

  const pointSize = rows.length > 500 ? 12 : 30;
  const pointLayer = {
    mark: { type: 'point', filled: true, opacity: rows.length > 500 ? 0.45 : 0.75, size: pointSize, color: '#4c78a8' },
    encoding: {} as Record<string, unknown>,
  };
  const x: Record<string, unknown> = { field: 'x', type: 'quantitative', title: opts.xTitle ?? null, scale: { zero: false } };
  const y: Record<string, unknown> = { field: 'y', type: 'quantitative', title: opts.yTitle ?? null, scale: { zero: false } };
  const layers: object[] = [pointLayer];
  if (opts.diagonal) {
    // Same range on both axes over all (not only the drawn) points, so y = x is the 45° diagonal.
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of finite) {
      lo = Math.min(lo, p.x, p.y);
      hi = Math.max(hi, p.x, p.y);
    }
    if (lo === hi) {
      lo -= 1;
      hi += 1;
    }
    const pad = (hi - lo) * 0.03;
    const domain = [lo - pad, hi + pad];
    x.scale = { domain, nice: false, zero: false };
    y.scale = { domain, nice: false, zero: false };
    layers.unshift({
      data: { values: [{ x: domain[0], y: domain[0] }, { x: domain[1], y: domain[1] }] },
      mark: { type: 'line', color: '#999', strokeDash: [5, 4], strokeWidth: 1.2, clip: true },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
    });
  }
  pointLayer.encoding = { x, y };
  const spec = { ...titleOf(opts.title), data: { values: rows }, layer: layers };
  return renderVegaLite(spec, { width: opts.width ?? 560, height: opts.height ?? 520, scale: opts.scale });
}
