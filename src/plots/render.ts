/**
 * Vega-Lite spec → Vega → SVG string (View.toSVG, no canvas) → PNG (resvg, with the bundled font only).
 *
 * vega/vega-lite are pinned to the 5.x line: it ships CommonJS builds (`require('vega')`), which this CommonJS
 * project and jest load as they are; vega 6 / vega-lite 6 are ESM-only.
 */
import { renderAsync } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { PlotInputError, assertSize } from './errors';
import { FONT_FAMILY, fontFiles, installTextMetrics } from './fonts';

export interface RenderOptions {
  /** Output width in CSS pixels (before `scale`). Default: the spec's natural size. */
  width?: number;
  /** Output height in CSS pixels (before `scale`). Default: the spec's natural size. */
  height?: number;
  /** Pixel density: the PNG is round(width * scale) × round(height * scale). Default 1. */
  scale?: number;
}

/** House style, merged under a spec's own `config`. */
export const BASE_CONFIG = {
  background: 'white',
  font: FONT_FAMILY,
  padding: 8,
  title: { fontSize: 15, anchor: 'start', offset: 10, color: '#222' },
  axis: { labelFontSize: 11, labelSeparation: 4, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333', labelColor: '#444', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 240 },
  header: { labelFontSize: 13, titleFontSize: 13 },
  view: { stroke: '#ccc' },
  range: { category: { scheme: 'tableau10' } },
} as const;

const silentLogger = vega.logger(vega.None);

/** No data or image is ever fetched: charts are built from inline values, and rendering must not touch the network or disk. */
function noExternalLoader(): vega.Loader {
  const loader = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new PlotInputError(`plots render inline data only; refusing to load ${JSON.stringify(uri)}`);
  };
  loader.load = refuse;
  loader.sanitize = refuse;
  return loader;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A single (possibly layered) view, which Vega-Lite can size to an exact total width/height with autosize "fit". */
function isSingleView(spec: Record<string, unknown>): boolean {
  return !['facet', 'repeat', 'concat', 'hconcat', 'vconcat'].some((k) => k in spec);
}

export interface Svg {
  svg: string;
  width: number;
  height: number;
}

/** Compiles and renders a Vega-Lite spec to an SVG string (house config underneath the spec's own). */
export async function vegaLiteToSvg(spec: object): Promise<Svg> {
  if (!isObject(spec)) throw new PlotInputError('renderVegaLite: spec must be a Vega-Lite spec object');
  installTextMetrics();
  let vgSpec: vega.Spec;
  try {
    vgSpec = compile(spec as unknown as TopLevelSpec, { config: BASE_CONFIG as never, logger: silentLogger }).spec;
  } catch (err) {
    throw new PlotInputError(`renderVegaLite: invalid Vega-Lite spec: ${(err as Error).message}`);
  }
  for (const d of vgSpec.data ?? []) {
    if ('url' in d && d.url !== undefined) throw new PlotInputError('renderVegaLite: data must be inline (data.values); data.url is not supported');
  }
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: noExternalLoader(), logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    const m = /^<svg[^>]*\swidth="([\d.]+)"\s+height="([\d.]+)"/.exec(svg);
    if (!m) throw new Error('unexpected SVG from Vega');
    return { svg, width: Number(m[1]), height: Number(m[2]) };
  } finally {
    view.finalize();
  }
}

/**
 * Makes the SVG exactly width × height pixels: the drawing is scaled to fit, keeps its aspect ratio and is centred
 * (a pixel or two of white margin at most when Vega's layout is off by rounding or for composite views).
 */
function fitSvg(s: Svg, width: number, height: number): string {
  if (s.width === width && s.height === height) return s.svg;
  const out = s.svg.replace(
    /^<svg([^>]*?)\swidth="[\d.]+"\s+height="[\d.]+"\s+viewBox="[^"]*"/,
    `<svg$1 width="${width}" height="${height}" viewBox="0 0 ${s.width} ${s.height}" preserveAspectRatio="xMidYMid meet"`,
  );
  if (out === s.svg) throw new Error('unexpected SVG root element from Vega');
  return out;
}

/** Rasterizes an SVG with the bundled font only (no system fonts), at exactly round(w*scale) × round(h*scale). */
export async function svgToPng(s: Svg, opts: RenderOptions = {}): Promise<Buffer> {
  const scale = opts.scale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0 || scale > 8) throw new PlotInputError(`scale must be in (0, 8], got ${scale}`);
  const width = Math.max(1, Math.round((opts.width ?? s.width) * scale));
  const height = Math.max(1, Math.round((opts.height ?? s.height) * scale));
  const image = await renderAsync(fitSvg(s, width, height), {
    fitTo: { mode: 'original' },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: fontFiles(),
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    shapeRendering: 2,
    textRendering: 1,
    logLevel: 'off',
  });
  return image.asPng();
}

/**
 * Renders a Vega-Lite spec to PNG bytes. With width/height, a single or layered view is laid out to fill exactly
 * that size (autosize "fit", axes and legend included); a composite view is scaled to fit it.
 */
export async function renderVegaLite(spec: object, opts: RenderOptions = {}): Promise<Buffer> {
  if (!isObject(spec)) throw new PlotInputError('renderVegaLite: spec must be a Vega-Lite spec object');
  assertSize('width', opts.width);
  assertSize('height', opts.height);
  let s: Record<string, unknown> = spec;
  if ((opts.width !== undefined || opts.height !== undefined) && isSingleView(spec)) {
    s = { ...spec, autosize: spec.autosize ?? { type: 'fit', contains: 'padding' } };
    if (opts.width !== undefined) s.width = Math.round(opts.width);
    if (opts.height !== undefined) s.height = Math.round(opts.height);
  }
  const svg = await vegaLiteToSvg(s);
  return svgToPng(svg, opts);
}

/** Options shared by the chart helpers. */
export interface ChartOptions extends RenderOptions {
  title?: string;
}

/**
 * For composite (faceted) views, which Vega-Lite cannot "fit": lays out once with guessed panel sizes, measures
 * what the axes, headers and legend took, and lays out again with panels resized so the total is width × height.
 */
export async function renderFitted(
  build: (panelWidth: number, panelHeight: number) => object,
  guess: { panelWidth: number; panelHeight: number; cols: number; rows: number },
  opts: RenderOptions & { width: number; height: number },
): Promise<Buffer> {
  assertSize('width', opts.width);
  assertSize('height', opts.height);
  const first = await vegaLiteToSvg(build(guess.panelWidth, guess.panelHeight));
  let svg = first;
  const dw = (opts.width - first.width) / guess.cols;
  const dh = (opts.height - first.height) / guess.rows;
  if (Math.abs(dw) >= 0.5 || Math.abs(dh) >= 0.5) {
    const pw = Math.max(40, Math.round(guess.panelWidth + dw));
    const ph = Math.max(40, Math.round(guess.panelHeight + dh));
    svg = await vegaLiteToSvg(build(pw, ph));
  }
  return svgToPng(svg, opts);
}

/** A chart title for Vega-Lite, or nothing. */
export function titleOf(title: string | undefined): { title?: string } {
  return title ? { title } : {};
}
