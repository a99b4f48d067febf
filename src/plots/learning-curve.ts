import { lttbIndices, MAX_POINTS } from './downsample';
import { PlotInputError } from './errors';
import { renderFitted, type ChartOptions } from './render';

export interface EpochMetrics {
  epoch: number;
  metrics: Record<string, number>;
}

export interface LearningCurveOptions extends ChartOptions {
  /** Points kept per line (LTTB downsampling above it). Default 2000. */
  maxPoints?: number;
}

export type Split = 'train' | 'val';

const VAL = /^(val|valid|validation)[_/.-](.+)$|^(.+)[_/.-](val|valid|validation)$/;
const TRAIN = /^(train|training)[_/.-](.+)$|^(.+)[_/.-](train|training)$/;
const ALIASES: Record<string, string> = { acc: 'accuracy' };

/**
 * Splits a metric name into its family and split: `val_loss`, `loss_val`, `validation/loss` → (loss, val);
 * `train_accuracy`, `acc` → (accuracy, train). Names with no train/val marker count as train.
 */
export function metricFamily(name: string): { family: string; split: Split } {
  let m = VAL.exec(name);
  let split: Split = 'train';
  let base = name;
  if (m) {
    split = 'val';
    base = m[2] ?? m[3];
  } else if ((m = TRAIN.exec(name))) {
    base = m[2] ?? m[3];
  }
  return { family: ALIASES[base] ?? base, split };
}

const SPLIT_COLORS: Record<Split, string> = { train: '#1f77b4', val: '#ff7f0e' };

/** One panel per metric family (loss, accuracy, ...), each with its train and val lines over epochs. */
export async function learningCurvePng(history: EpochMetrics[], opts: LearningCurveOptions = {}): Promise<Buffer> {
  const fn = 'learningCurvePng';
  if (!Array.isArray(history) || history.length === 0) throw new PlotInputError(`${fn}: history is empty`);
  const lines = new Map<string, { family: string; split: Split; x: number[]; y: number[] }>();
  const families: string[] = [];
  for (const rec of history) {
    if (!rec || typeof rec.epoch !== 'number' || !Number.isFinite(rec.epoch)) throw new PlotInputError(`${fn}: every record needs a finite epoch`);
    if (typeof rec.metrics !== 'object' || rec.metrics === null) throw new PlotInputError(`${fn}: epoch ${rec.epoch} has no metrics object`);
    for (const [name, value] of Object.entries(rec.metrics)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const { family, split } = metricFamily(name);
      const key = `${family}\u0000${split}`;
      let line = lines.get(key);
      if (!line) {
        line = { family, split, x: [], y: [] };
        lines.set(key, line);
        if (!families.includes(family)) families.push(family);
      }
      line.x.push(rec.epoch);
      line.y.push(value);
    }
  }
  if (lines.size === 0) throw new PlotInputError(`${fn}: no finite metric values in history`);
  // Loss-like panels first, then the rest in order of appearance.
  families.sort((a, b) => Number(!/loss/i.test(a)) - Number(!/loss/i.test(b)));

  const rows: { family: string; split: Split; epoch: number; value: number }[] = [];
  for (const line of lines.values()) {
    const order = line.x.map((_, i) => i).sort((a, b) => line.x[a] - line.x[b] || a - b);
    const xs = order.map((i) => line.x[i]);
    const ys = order.map((i) => line.y[i]);
    for (const i of lttbIndices(xs, ys, opts.maxPoints ?? MAX_POINTS)) rows.push({ family: line.family, split: line.split, epoch: xs[i], value: ys[i] });
  }
  const splits = (['train', 'val'] as Split[]).filter((s) => rows.some((r) => r.split === s));
  const maxLen = Math.max(...[...lines.values()].map((l) => l.x.length));

  const cols = Math.min(families.length, 3);
  const rowsN = Math.ceil(families.length / cols);
  const width = opts.width ?? Math.min(1400, 40 + cols * 420);
  const height = opts.height ?? 70 + rowsN * 300 + (opts.title ? 30 : 0);
  const build = (pw: number, ph: number): object => ({
    ...(opts.title ? { title: opts.title } : {}),
    data: { values: rows },
    facet: { field: 'family', type: 'nominal', sort: families, title: null, header: { labelFontSize: 13, labelPadding: 6 } },
    columns: cols,
    spec: {
      width: pw,
      height: ph,
      mark: { type: 'line', strokeWidth: 1.8, point: maxLen <= 40 ? { size: 22 } : false },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: false, nice: false }, axis: { tickMinStep: 1, format: '~d' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: {
          field: 'split',
          type: 'nominal',
          scale: { domain: splits, range: splits.map((s) => SPLIT_COLORS[s]) },
          legend: { title: null, orient: 'top', direction: 'horizontal' },
        },
      },
    },
    resolve: { scale: { y: 'independent', x: 'shared' }, axis: { x: 'independent', y: 'independent' } },
  });
  const panelWidth = Math.max(60, (width - 20) / cols - 70);
  const panelHeight = Math.max(60, (height - 70 - (opts.title ? 30 : 0)) / rowsN - 50);
  return renderFitted(build, { panelWidth, panelHeight, cols, rows: rowsN }, { width, height, scale: opts.scale });
}
