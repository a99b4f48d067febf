import { PlotInputError } from './errors';
import { renderVegaLite, titleOf, type ChartOptions } from './render';

export interface ConfusionMatrixOptions extends ChartOptions {
  /** Colour and label cells by the share of their row (recall per class) instead of raw counts. Default false. */
  normalize?: boolean;
  xTitle?: string;
  yTitle?: string;
}

/** Locale-independent short number text. */
function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

/** Heatmap of matrix[actual][predicted], counts written in the cells. */
export async function confusionMatrixPng(matrix: number[][], labels: string[], opts: ConfusionMatrixOptions = {}): Promise<Buffer> {
  const fn = 'confusionMatrixPng';
  if (!Array.isArray(labels) || labels.length === 0) throw new PlotInputError(`${fn}: no labels given`);
  if (new Set(labels).size !== labels.length) throw new PlotInputError(`${fn}: labels must be unique`);
  const n = labels.length;
  if (!Array.isArray(matrix) || matrix.length !== n || matrix.some((r) => !Array.isArray(r) || r.length !== n)) {
    throw new PlotInputError(`${fn}: matrix must be ${n}×${n} to match ${n} labels`);
  }
  for (const row of matrix) {
    for (const v of row) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new PlotInputError(`${fn}: cells must be finite numbers ≥ 0, got ${v}`);
    }
  }
  const normalize = opts.normalize ?? false;
  const rows: { actual: string; predicted: string; value: number; text: string }[] = [];
  let max = 0;
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const rate = total > 0 ? count / total : 0;
      const value = normalize ? rate : count;
      max = Math.max(max, value);
      rows.push({ actual: String(labels[i]), predicted: String(labels[j]), value, text: normalize ? `${(rate * 100).toFixed(rate >= 0.1 || rate === 0 ? 0 : 1)}%` : fmt(count) });
    });
  });

  const showText = n <= 30;
  const longest = Math.max(...labels.map((l) => String(l).length));
  const cell = n <= 6 ? 64 : Math.max(14, Math.round(480 / n));
  const band = { field: '', type: 'nominal', sort: labels.map(String) };
  const layers: object[] = [
    {
      mark: { type: 'rect', stroke: 'white', strokeWidth: n <= 30 ? 1 : 0 },
      encoding: {
        color: {
          field: 'value',
          type: 'quantitative',
          title: normalize ? 'share of row' : 'count',
          scale: { scheme: 'blues', domainMin: 0, ...(max === 0 ? { domainMax: 1 } : {}) },
          legend: { format: normalize ? '.0%' : '~s', gradientLength: Math.min(240, Math.max(80, n * cell - 20)) },
        },
      },
    },
  ];
  if (showText) {
    layers.push({
      mark: { type: 'text', fontSize: n <= 10 ? 13 : n <= 20 ? 10 : 8 },
      encoding: {
        text: { field: 'text', type: 'nominal' },
        color: { condition: { test: `datum.value > ${max / 2}`, value: 'white' }, value: '#222' },
      },
    });
  }
  const spec = {
    ...titleOf(opts.title),
    data: { values: rows },
    encoding: {
      x: { ...band, field: 'predicted', title: opts.xTitle ?? 'Predicted', axis: { labelAngle: longest > 3 ? -40 : 0, labelLimit: 140, ticks: false, domain: false } },
      y: { ...band, field: 'actual', title: opts.yTitle ?? 'Actual', axis: { labelLimit: 140, ticks: false, domain: false } },
    },
    layer: layers,
    config: { view: { stroke: null }, axis: { grid: false } },
  };
  const labelRoom = Math.min(140, longest * 7) + 40;
  const width = opts.width ?? Math.min(1400, Math.max(320, n * cell + labelRoom + 110));
  const height = opts.height ?? Math.min(1400, Math.max(260, n * cell + labelRoom + (opts.title ? 40 : 10)));
  return renderVegaLite(spec, { width, height, scale: opts.scale });
}
