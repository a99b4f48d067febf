/**
 * Deterministic regression data for the LightGBM benchmark, and the binary file both sides read.
 *
 * File layout (little endian), mirrored in reference.py: 8-byte magic "LGBMBNCH", int32 version (1),
 * int32 nTrain, int32 nTest, int32 ncol, then xTrain float64[nTrain*ncol] (row-major), yTrain float32[nTrain],
 * xTest float64[nTest*ncol], yTest float32[nTest].
 */
import * as fs from 'fs';

export interface BenchData {
  nTrain: number;
  nTest: number;
  ncol: number;
  xTrain: Float64Array;
  yTrain: Float32Array;
  xTest: Float64Array;
  yTest: Float32Array;
}

const MAGIC = 'LGBMBNCH';
const VERSION = 1;
const HEADER_BYTES = 24;

/** mulberry32: small, fast, and fully determined by its 32-bit seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Friedman #1 on the first five columns, plus an interaction and a weak linear term on a few more, and
 * Gaussian noise; every fourth column is standard normal, the others uniform on [0, 1). Columns from 8 on
 * carry no signal, so the trees also have to ignore features.
 */
export function makeRegressionData(nTrain: number, nTest: number, ncol: number, seed: number): BenchData {
  if (ncol < 8) throw new RangeError('ncol must be at least 8');
  const uniform = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const fill = (nrow: number): [Float64Array, Float32Array] => {
    const x = new Float64Array(nrow * ncol);
    const y = new Float32Array(nrow);
    for (let i = 0; i < nrow; i++) {
      const o = i * ncol;
      for (let j = 0; j < ncol; j++) x[o + j] = j % 4 === 3 ? normal() : uniform();
      y[i] =
        10 * Math.sin(Math.PI * x[o] * x[o + 1]) +
        20 * (x[o + 2] - 0.5) ** 2 +
        10 * x[o + 3] +
        5 * x[o + 4] +
        4 * x[o + 5] * x[o + 6] -
        2 * x[o + 7] +
        normal();
    }
    return [x, y];
  };
  const [xTrain, yTrain] = fill(nTrain);
  const [xTest, yTest] = fill(nTest);
  return { nTrain, nTest, ncol, xTrain, yTrain, xTest, yTest };
}

export function writeBenchData(file: string, d: BenchData): void {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeInt32LE(VERSION, 8);
  header.writeInt32LE(d.nTrain, 12);
  header.writeInt32LE(d.nTest, 16);
  header.writeInt32LE(d.ncol, 20);
  const fd = fs.openSync(file, 'w');
  try {
    for (const part of [header, d.xTrain, d.yTrain, d.xTest, d.yTest]) {
      const bytes = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a file written by writeBenchData (the benchmark measures on what it read back: the very same bytes). */
export function readBenchData(file: string): BenchData {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 8) !== MAGIC || buf.readInt32LE(8) !== VERSION) {
    throw new Error(`${file} is not a version ${VERSION} benchmark data file`);
  }
  const [nTrain, nTest, ncol] = [buf.readInt32LE(12), buf.readInt32LE(16), buf.readInt32LE(20)];
  let off = HEADER_BYTES;
  // Copy each section into its own (aligned) typed array.
  const take = <T extends Float64Array | Float32Array>(ctor: { new (n: number): T; BYTES_PER_ELEMENT: number }, n: number): T => {
    const out = new ctor(n);
    const bytes = n * ctor.BYTES_PER_ELEMENT;
    if (off + bytes > buf.length) throw new Error(`${file} is truncated`);
    Buffer.from(out.buffer, out.byteOffset, bytes).set(buf.subarray(off, off + bytes));
    off += bytes;
    return out;
  };
  const xTrain = take(Float64Array, nTrain * ncol);
  const yTrain = take(Float32Array, nTrain);
  const xTest = take(Float64Array, nTest * ncol);
  const yTest = take(Float32Array, nTest);
  return { nTrain, nTest, ncol, xTrain, yTrain, xTest, yTest };
}
