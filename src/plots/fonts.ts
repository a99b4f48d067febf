/**
 * The one font every chart uses, shipped through npm (`dejavu-fonts-ttf`) so that text renders the same on
 * machines with no system fonts. Vega's SVG names the family; resvg is given the TTF files and never looks at
 * system fonts; Vega's layout measures text with the real glyph advances of the same files (via opentype.js),
 * instead of its canvas-less estimate of 0.8 em per character, so axis and legend space fit the labels.
 */
import * as fs from 'fs';
import * as vega from 'vega';

export const FONT_FAMILY = 'DejaVu Sans';

const REGULAR = 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf';
const BOLD = 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf';

/** Absolute paths of the TTF files handed to resvg (regular and bold: Vega titles are bold). */
export function fontFiles(): string[] {
  return [require.resolve(REGULAR), require.resolve(BOLD)];
}

/** The part of opentype.js this module uses. */
interface OtGlyph {
  advanceWidth?: number;
}
interface OtFont {
  unitsPerEm: number;
  charToGlyph(ch: string): OtGlyph;
}
interface Opentype {
  parse(buffer: ArrayBuffer, options?: { lowMemory?: boolean }): OtFont;
}

/** Advance widths in em units, per code point; built lazily for each weight. */
class Metrics {
  private readonly cache = new Map<string, number>();
  constructor(private readonly font: OtFont) {}

  /** Width of `text` in em units (sum of glyph advances; kerning is ignored, it is tiny for DejaVu Latin). */
  width(text: string): number {
    let w = 0;
    for (const ch of text) {
      let adv = this.cache.get(ch);
      if (adv === undefined) {
        const glyph = this.font.charToGlyph(ch);
        adv = (glyph.advanceWidth ?? this.font.unitsPerEm * 0.6) / this.font.unitsPerEm;
        this.cache.set(ch, adv);
      }
      w += adv;
    }
    return w;
  }
}

let metrics: { regular: Metrics; bold: Metrics } | undefined;

function loadFont(spec: string): OtFont {
  // opentype.js ships a CommonJS (UMD) build but no type declarations.
  const opentype = require('opentype.js') as Opentype;
  const buf = fs.readFileSync(require.resolve(spec));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return opentype.parse(ab, { lowMemory: true });
}

function getMetrics(): { regular: Metrics; bold: Metrics } {
  metrics ??= { regular: new Metrics(loadFont(REGULAR)), bold: new Metrics(loadFont(BOLD)) };
  return metrics;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

function isBold(weight: number | string | undefined): boolean {
  if (weight === undefined || weight === null) return false;
  if (typeof weight === 'number') return weight >= 600;
  return weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
}

/** Text width in pixels for a Vega text item, measured with the DejaVu advances. */
export function measureText(item: TextItem, text: unknown): number {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const s = text == null ? '' : String(text).trim();
  if (size <= 0 || s === '') return 0;
  const m = getMetrics();
  const w = (isBold(item.fontWeight) ? m.bold : m.regular).width(s) * size;
  // Vega truncates labels to item.limit pixels; a truncated label is never wider than the limit. Vega's own
  // truncation search only compares widths against the limit, so capping here keeps it correct.
  return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
}

let installed = false;

/**
 * Points Vega's text measurement at `measureText` (the hook vl-convert uses too). Process-wide, idempotent:
 * every Vega view in this process then lays out text for DejaVu Sans.
 */
export function installTextMetrics(): void {
  if (installed) return;
  const tm = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  tm.width = measureText;
  installed = true;
}
