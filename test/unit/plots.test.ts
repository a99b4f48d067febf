import { PNG } from 'pngjs';
import {
  PlotInputError,
  barChartPng,
  confusionMatrixPng,
  learningCurvePng,
  lineChartPng,
  lttbIndices,
  metricFamily,
  renderVegaLite,
  scatterPng,
} from '../../src/plots';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks the PNG signature and reads the size from the IHDR chunk. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(Buffer.isBuffer(buf)).toBe(true);
  expect(buf.subarray(0, 8).equals(SIGNATURE)).toBe(true);
  expect(buf.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Pixels that are clearly not white background. */
function inkPixels(buf: Buffer): number {
  const png = PNG.sync.read(buf);
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i] < 128 && png.data[i + 1] < 128 && png.data[i + 2] < 128) n++;
  }
  return n;
}

const history = Array.from({ length: 12 }, (_, i) => ({
  epoch: i + 1,
  metrics: { train_loss: 2 / (i + 1), val_loss: 2 / (i + 1) + 0.1, train_accuracy: 1 - 1 / (i + 2), val_accuracy: 0.9 - 1 / (i + 2) },
}));

describe('renderVegaLite', () => {
  const spec = {
    data: { values: [{ a: 1, b: 2 }, { a: 2, b: 5 }, { a: 3, b: 4 }] },
    mark: 'line',
    encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
  };

  it('renders a PNG of exactly the requested size and scale', async () => {
    expect(pngSize(await renderVegaLite(spec, { width: 320, height: 200 }))).toEqual({ width: 320, height: 200 });
    expect(pngSize(await renderVegaLite(spec, { width: 320, height: 200, scale: 2 }))).toEqual({ width: 640, height: 400 });
  });

  it('sizes composite views too', async () => {
    const concat = { hconcat: [spec, spec] };
    expect(pngSize(await renderVegaLite(concat, { width: 500, height: 180 }))).toEqual({ width: 500, height: 180 });
  });

  it('draws text with the bundled font (no system fonts are loaded)', async () => {
    const text = { data: { values: [{}] }, mark: { type: 'text', fontSize: 40, text: 'Accuracy 0.97' } };
    expect(inkPixels(await renderVegaLite(text, { width: 400, height: 80 }))).toBeGreaterThan(500);
  });

  it('rejects invalid specs, external data and bad sizes', async () => {
    await expect(renderVegaLite({})).rejects.toThrow(PlotInputError);
    await expect(renderVegaLite(null as unknown as object)).rejects.toThrow(PlotInputError);
    await expect(renderVegaLite({ ...spec, data: { url: 'http://127.0.0.1:1/x.csv' } })).rejects.toThrow(/inline/);
    await expect(renderVegaLite(spec, { width: 0, height: 100 })).rejects.toThrow(/width/);
    await expect(renderVegaLite(spec, { width: 100, height: 100, scale: -1 })).rejects.toThrow(/scale/);
  });
});

describe('learningCurvePng', () => {
  it('splits metric names into family and split', () => {
    expect(metricFamily('val_loss')).toEqual({ family: 'loss', split: 'val' });
    expect(metricFamily('train_accuracy')).toEqual({ family: 'accuracy', split: 'train' });
    expect(metricFamily('acc')).toEqual({ family: 'accuracy', split: 'train' });
    expect(metricFamily('loss/validation')).toEqual({ family: 'loss', split: 'val' });
  });

  it('renders at the requested size, deterministically', async () => {
    const a = await learningCurvePng(history, { title: 'MNIST', width: 900, height: 360 });
    expect(pngSize(a)).toEqual({ width: 900, height: 360 });
    const b = await learningCurvePng(history, { title: 'MNIST', width: 900, height: 360 });
    expect(a.equals(b)).toBe(true);
  });

  it('rejects empty history and histories without finite values', async () => {
    await expect(learningCurvePng([])).rejects.toThrow(PlotInputError);
    await expect(learningCurvePng([{ epoch: 1, metrics: { loss: NaN } }])).rejects.toThrow(/no finite/);
  });
});

describe('confusionMatrixPng', () => {
  const labels = ['cat', 'dog', 'bird'];
  const m = [
    [50, 3, 1],
    [4, 40, 6],
    [0, 2, 61],
  ];

  it('renders at the requested size, deterministically', async () => {
    const a = await confusionMatrixPng(m, labels, { title: 'Confusion', width: 420, height: 360 });
    expect(pngSize(a)).toEqual({ width: 420, height: 360 });
    expect(a.equals(await confusionMatrixPng(m, labels, { title: 'Confusion', width: 420, height: 360 }))).toBe(true);
    expect(pngSize(await confusionMatrixPng(m, labels, { normalize: true })).width).toBeGreaterThan(0);
  });

  it('rejects malformed matrices', async () => {
    await expect(confusionMatrixPng([], [])).rejects.toThrow(/no labels/);
    await expect(confusionMatrixPng([[1, 2]], ['a', 'b'])).rejects.toThrow(/2×2/);
    await expect(confusionMatrixPng([[1, -2], [0, 1]], ['a', 'b'])).rejects.toThrow(/≥ 0/);
    await expect(confusionMatrixPng([[1, 2], [0, 1]], ['a', 'a'])).rejects.toThrow(/unique/);
  });
});

describe('barChartPng', () => {
  it('renders at the requested size, deterministically', async () => {
    const items = [
      { label: 'lag_1h', value: 0.42 },
      { label: 'hour_of_day', value: 0.31 },
      { label: 'temperature', value: 0.12 },
    ];
    const a = await barChartPng(items, { title: 'Feature importance', xTitle: 'gain', width: 500, height: 240 });
    expect(pngSize(a)).toEqual({ width: 500, height: 240 });
    expect(a.equals(await barChartPng(items, { title: 'Feature importance', xTitle: 'gain', width: 500, height: 240 }))).toBe(true);
  });

  it('rejects empty, non-finite and duplicate items', async () => {
    await expect(barChartPng([])).rejects.toThrow(/no items/);
    await expect(barChartPng([{ label: 'a', value: NaN }])).rejects.toThrow(/finite/);
    await expect(barChartPng([{ label: 'a', value: 1 }, { label: 'a', value: 2 }])).rejects.toThrow(/duplicate/);
  });
});

describe('lineChartPng', () => {
  it('renders long time series (downsampled) at the requested size, deterministically', async () => {
    const n = 5000;
    const x = Array.from({ length: n }, (_, i) => new Date(Date.UTC(2024, 0, 1) + i * 3_600_000));
    const y = Array.from({ length: n }, (_, i) => 10_000 + i + 300 * Math.sin(i / 50));
    const series = [
      { name: 'strategy', x, y },
      { name: 'buy & hold', x, y: y.map((v) => v * 0.9) },
    ];
    const a = await lineChartPng(series, { title: 'Equity', yTitle: 'equity', width: 640, height: 300 });
    expect(pngSize(a)).toEqual({ width: 640, height: 300 });
    expect(a.equals(await lineChartPng(series, { title: 'Equity', yTitle: 'equity', width: 640, height: 300 }))).toBe(true);
  });

  it('rejects empty and mismatched series', async () => {
    await expect(lineChartPng([])).rejects.toThrow(/no series/);
    await expect(lineChartPng([{ name: 's', x: [1, 2], y: [1] }])).rejects.toThrow(/2 x values but 1 y/);
    await expect(lineChartPng([{ name: 's', x: [1], y: [NaN] }])).rejects.toThrow(/no finite/);
  });
});

describe('scatterPng', () => {
  it('renders predicted vs actual with the diagonal, deterministically', async () => {
    const pts = Array.from({ length: 300 }, (_, i) => ({ x: i, y: i + 10 * Math.sin(i) }));
    const a = await scatterPng(pts, { title: 'Predicted vs actual', xTitle: 'actual', yTitle: 'predicted', diagonal: true, width: 400, height: 400 });
    expect(pngSize(a)).toEqual({ width: 400, height: 400 });
    expect(a.equals(await scatterPng(pts, { title: 'Predicted vs actual', xTitle: 'actual', yTitle: 'predicted', diagonal: true, width: 400, height: 400 }))).toBe(true);
  });

  it('rejects empty input', async () => {
    await expect(scatterPng([])).rejects.toThrow(/no points/);
    await expect(scatterPng([{ x: NaN, y: 1 }])).rejects.toThrow(/finite/);
  });
});

describe('lttbIndices', () => {
  it('keeps the first, last and extreme points', () => {
    const n = 10_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => (i === 4321 ? 1000 : Math.sin(i / 100)));
    const idx = lttbIndices(xs, ys, 500);
    expect(idx).toHaveLength(500);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    expect(idx).toContain(4321);
    expect(lttbIndices([1, 2, 3], [1, 2, 3], 500)).toEqual([0, 1, 2]);
  });
});
