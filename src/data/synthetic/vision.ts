/**
 * Tiny synthetic MNIST / CIFAR-10 written in the real file formats, so every pipeline can run
 * end to end offline and the readers are exercised exactly as with the downloaded data.
 * Classes are drawn from class-specific shapes with random shift, size, colour and noise:
 * easy enough for a small dense net, not so trivial that a constant predictor looks good.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { CIFAR_IMAGE_BYTES, CIFAR_SIDE, writeCifarBatch } from '../cifar';
import { writeIdx } from '../idx';
import { createRng, deriveSeed, Rng } from '../random';

const MNIST_SIDE = 28;

type Segment = [number, number, number, number];

// Seven-segment style glyph box (pixels), with a few diagonals so 1 and 7 differ in shape.
const L = 9, R = 18, T = 5, M = 14, B = 23;
const SEG = {
  a: [L, T, R, T], b: [R, T, R, M], c: [R, M, R, B], d: [L, B, R, B],
  e: [L, M, L, B], f: [L, T, L, M], g: [L, M, R, M],
} satisfies Record<string, Segment>;
const DIGITS: Segment[][] = [
  [SEG.a, SEG.b, SEG.c, SEG.d, SEG.e, SEG.f],
  [[14, T, 14, B], [11, 8, 14, T]],
  [SEG.a, SEG.b, SEG.g, SEG.e, SEG.d],
  [SEG.a, SEG.b, SEG.g, SEG.c, SEG.d],
  [SEG.f, SEG.g, SEG.b, SEG.c],
  [SEG.a, SEG.f, SEG.g, SEG.c, SEG.d],
  [SEG.a, SEG.f, SEG.g, SEG.e, SEG.d, SEG.c],
  [SEG.a, [R, T, 12, B]],
  [SEG.a, SEG.b, SEG.c, SEG.d, SEG.e, SEG.f, SEG.g],
  [SEG.a, SEG.b, SEG.f, SEG.g, SEG.c, SEG.d],
];

function distToSegment(px: number, py: number, [x0, y0, x1, y1]: Segment): number {
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
  const ex = px - (x0 + t * dx), ey = py - (y0 + t * dy);
  return Math.sqrt(ex * ex + ey * ey);
}

const clampByte = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Draws one 28x28 digit into out[offset..offset+784). */
function drawDigit(rng: Rng, digit: number, out: Uint8Array, offset: number): void {
  const shiftX = rng.int(5) - 2, shiftY = rng.int(5) - 2;
  // Random slant and size around the glyph centre, like different handwriting.
  const shear = (rng.next() - 0.5) * 0.4;
  const scale = 0.85 + rng.next() * 0.3;
  const halfWidth = 0.8 + rng.next() * 1.3;
  const intensity = 150 + rng.next() * 105;
  const place = (x: number, y: number): [number, number] => {
    const u = (x - 13.5) * scale, v = (y - 14) * scale;
    return [13.5 + u - shear * v + shiftX + (rng.next() - 0.5) * 1.6, 14 + v + shiftY + (rng.next() - 0.5) * 1.6];
  };
  const segments = DIGITS[digit].map(([x0, y0, x1, y1]): Segment => [...place(x0, y0), ...place(x1, y1)]);
  // An occasional stray stroke, so single pixels are never decisive.
  if (rng.next() < 0.1) {
    const x = 4 + rng.next() * 20, y = 4 + rng.next() * 20;
    segments.push([x, y, x + (rng.next() - 0.5) * 10, y + (rng.next() - 0.5) * 10]);
  }
  for (let y = 0; y < MNIST_SIDE; y++) {
    for (let x = 0; x < MNIST_SIDE; x++) {
      let d = Infinity;
      for (const s of segments) d = Math.min(d, distToSegment(x, y, s));
      // Anti-aliased stroke edge, then pixel noise; sparse speckles keep the background imperfect.
      const coverage = Math.max(0, Math.min(1, halfWidth + 0.5 - d));
      let v = coverage > 0 ? intensity * coverage + rng.normal() * 20 : 0;
      if (rng.next() < 0.015) v += rng.next() * 150;
      out[offset + y * MNIST_SIDE + x] = clampByte(v);
    }
  }
}

function makeMnistSplit(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const rng = createRng(seed);
  const images = new Uint8Array(count * MNIST_SIDE * MNIST_SIDE);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.int(10);
    drawDigit(rng, labels[i], images, i * MNIST_SIDE * MNIST_SIDE);
  }
  return { images, labels };
}

/** Writes train-/t10k- images and labels IDX files; returns their paths. */
export async function writeSyntheticMnist(
  dir: string,
  opts: { train: number; test: number; seed: number; gzip?: boolean },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const suffix = opts.gzip ? '.gz' : '';
  const written: string[] = [];
  const splits: [string, number, number][] = [['train', opts.train, 0], ['t10k', opts.test, 1]];
  for (const [name, count, stream] of splits) {
    const { images, labels } = makeMnistSplit(count, deriveSeed(opts.seed, stream));
    const imagesFile = path.join(dir, `${name}-images-idx3-ubyte${suffix}`);
    const labelsFile = path.join(dir, `${name}-labels-idx1-ubyte${suffix}`);
    await writeIdx(imagesFile, [count, MNIST_SIDE, MNIST_SIDE], images, { gzip: opts.gzip });
    await writeIdx(labelsFile, [count], labels, { gzip: opts.gzip });
    written.push(imagesFile, labelsFile);
  }
  return written;
}

// CIFAR-like classes: each has a typical colour and a shape, both needed to tell all ten apart.
const CLASS_COLOURS: [number, number, number][] = [
  [220, 40, 40], [40, 190, 60], [50, 80, 220], [230, 210, 40], [200, 50, 200],
  [40, 200, 210], [240, 140, 30], [120, 60, 180], [235, 235, 235], [130, 80, 40],
];
/** Shape membership in coordinates u, v in [-1, 1] around the object centre. */
const CLASS_SHAPES: ((u: number, v: number) => boolean)[] = [
  (u, v) => u * u + v * v < 1, // disk
  (u, v) => Math.abs(u) < 0.8 && Math.abs(v) < 0.8, // square
  (u, v) => Math.abs(u) < 1 && Math.abs(v) < 1 && Math.floor((v + 1) * 2.5) % 2 === 0, // horizontal bars
  (u, v) => Math.abs(u) < 1 && Math.abs(v) < 1 && Math.floor((u + 1) * 2.5) % 2 === 0, // vertical bars
  (u, v) => { const r = u * u + v * v; return r < 1 && r > 0.4; }, // ring
  (u, v) => v > -0.9 && v < 0.9 && Math.abs(u) < (v + 0.9) / 1.8, // triangle
  (u, v) => (Math.abs(u) < 0.3 && Math.abs(v) < 1) || (Math.abs(v) < 0.3 && Math.abs(u) < 1), // plus
  (u, v) => Math.abs(u - v) < 0.5 && Math.abs(u) < 1 && Math.abs(v) < 1, // diagonal band
  (u, v) => Math.abs(u) < 0.9 && Math.abs(v) < 0.9 && (Math.floor((u + 1) * 2) + Math.floor((v + 1) * 2)) % 2 === 0, // checker
  (u, v) => (u + 0.5) ** 2 + v * v < 0.2 || (u - 0.5) ** 2 + v * v < 0.2, // two blobs
];

/** Draws one CHW 32x32x3 image into out[offset..offset+3072). */
function drawCifar(rng: Rng, label: number, out: Uint8Array, offset: number): void {
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const cx = 15.5 + (rng.next() - 0.5) * 8, cy = 15.5 + (rng.next() - 0.5) * 8;
  const radius = 7 + rng.next() * 5;
  // One image in six takes a random class colour: colour alone must not decide the class.
  const hue = rng.next() < 1 / 6 ? rng.int(10) : label;
  const colour = CLASS_COLOURS[hue].map((c) => c + (rng.next() - 0.5) * 90);
  // Muted random background with a vertical gradient, like sky/ground.
  const bgTop = [0, 1, 2].map(() => 30 + rng.next() * 170);
  const bgBottom = [0, 1, 2].map(() => 30 + rng.next() * 170);
  // A random-coloured clutter blob somewhere in the scene.
  const bx = rng.next() * 32, by = rng.next() * 32, br2 = (2 + rng.next() * 5) ** 2;
  const blob = [0, 1, 2].map(() => rng.next() * 255);
  const inside = CLASS_SHAPES[label];
  for (let y = 0; y < CIFAR_SIDE; y++) {
    const g = y / (CIFAR_SIDE - 1);
    for (let x = 0; x < CIFAR_SIDE; x++) {
      const hit = inside((x - cx) / radius, (y - cy) / radius);
      const clutter = !hit && (x - bx) ** 2 + (y - by) ** 2 < br2;
      for (let ch = 0; ch < 3; ch++) {
        const base = hit ? colour[ch] : clutter ? blob[ch] : bgTop[ch] * (1 - g) + bgBottom[ch] * g;
        out[offset + ch * plane + y * CIFAR_SIDE + x] = clampByte(base + rng.normal() * 22);
      }
    }
  }
}

function makeCifarSplit(count: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const rng = createRng(seed);
  const images = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = rng.int(10);
    drawCifar(rng, labels[i], images, i * CIFAR_IMAGE_BYTES);
  }
  return { images, labels };
}

/** Writes data_batch_1..N.bin and test_batch.bin; returns their paths. */
export async function writeSyntheticCifar10(
  dir: string,
  opts: { perBatch: number; batches: number; test: number; seed: number },
): Promise<string[]> {
  if (!Number.isInteger(opts.batches) || opts.batches < 1 || opts.batches > 5) {
    throw new RangeError(`batches must be 1..5 (CIFAR-10 has five train batches), got ${opts.batches}`);
  }
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  // Stream 0 is the test set; streams 1..5 the train batches, so each is independent of the others.
  for (let b = 1; b <= opts.batches; b++) {
    const { images, labels } = makeCifarSplit(opts.perBatch, deriveSeed(opts.seed, b));
    const file = path.join(dir, `data_batch_${b}.bin`);
    await writeCifarBatch(file, images, labels);
    written.push(file);
  }
  const test = makeCifarSplit(opts.test, deriveSeed(opts.seed, 0));
  const testFile = path.join(dir, 'test_batch.bin');
  await writeCifarBatch(testFile, test.images, test.labels);
  written.push(testFile);
  return written;
}
