/**
 * CIFAR-style augmentation on NHWC float images: a random horizontal flip (p = 0.5) and a random crop of the
 * image padded by `pad` zero pixels on each side (i.e. a shift of up to ±pad pixels). Pure and seeded, so an
 * epoch's augmented set is reproducible and a resumed training sees the same images.
 */
import { createRng } from '../data/random';

export interface AugmentOptions {
  flip: boolean;
  pad: number;
}

export function augmentImages(
  images: Float32Array,
  shape: [number, number, number, number],
  seed: number,
  opts: AugmentOptions = { flip: true, pad: 4 },
): Float32Array {
  const [n, h, w, c] = shape;
  const rng = createRng(seed);
  const out = new Float32Array(images.length);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const flip = opts.flip && rng.next() < 0.5;
    const dy = opts.pad ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
    const dx = opts.pad ? rng.int(2 * opts.pad + 1) - opts.pad : 0;
    const base = i * size;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= h) continue; // padding: stays 0
      for (let x = 0; x < w; x++) {
        const shifted = x + dx;
        if (shifted < 0 || shifted >= w) continue;
        const sx = flip ? w - 1 - shifted : shifted;
        const from = base + (sy * w + sx) * c;
        const to = base + (y * w + x) * c;
        for (let k = 0; k < c; k++) out[to + k] = images[from + k];
      }
    }
  }
  return out;
}
