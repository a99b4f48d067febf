/**
 * Prepared datasets on disk: one raw little-endian float32 file per array plus meta.json with shapes.
 * Always written into a temporary folder that is renamed into place (folderOnce for prepared data), so a crash never
 * leaves a half-written dataset that a later run would mistake for a finished one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readRegularFile } from './paths';

export interface StoredArray {
  shape: number[];
  data: Float32Array;
}

export interface ArraysMeta {
  arrays: Record<string, number[]>;
  info: Record<string, unknown>;
}

/** Written last: a folder with it is complete. */
export const META = 'meta.json';

/** Writes the arrays and meta.json (last, so its presence marks a complete folder) into an existing, empty folder. */
export async function writeArrays(dir: string, arrays: Record<string, StoredArray>, info: Record<string, unknown> = {}): Promise<void> {
  const shapes = checkedShapes(arrays);
  for (const [name, { data }] of Object.entries(arrays)) {
    await fs.writeFile(path.join(dir, `${name}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  await fs.writeFile(path.join(dir, META), JSON.stringify({ arrays: shapes, info } satisfies ArraysMeta, null, 2));
}

/** Replaces `dir` with the arrays (prediction inputs); prepared data goes through folderOnce (src/data/once.ts) instead. */
export async function writeArraysAtomically(
  dir: string,
  arrays: Record<string, StoredArray>,
  info: Record<string, unknown> = {},
): Promise<void> {
  // Shapes are checked before anything touches the disk; a failure after that removes the temporary folder.
  checkedShapes(arrays);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  // mkdtemp: a fresh folder of our own, whatever else sits next to it.
  const tmp = await fs.mkdtemp(`${dir}.tmp-`);
  try {
    await writeArrays(tmp, arrays, info);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function checkedShapes(arrays: Record<string, StoredArray>): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const [name, { shape, data }] of Object.entries(arrays)) {
    const expected = shape.reduce((a, b) => a * b, 1);
    if (expected !== data.length) throw new Error(`array ${name}: shape ${shape} needs ${expected} values, got ${data.length}`);
    shapes[name] = shape;
  }
  return shapes;
}

export async function readMeta(dir: string): Promise<ArraysMeta> {
  // Read as a regular file only: a meta.json planted as a link must not be followed (nor its text quoted in a parse error).
  return JSON.parse((await readRegularFile(path.join(dir, META))).toString('utf8')) as ArraysMeta;
}

export async function readArray(dir: string, name: string): Promise<StoredArray> {
  const meta = await readMeta(dir);
  const shape = meta.arrays[name];
  if (!shape) throw new Error(`prepared data in ${dir} has no array '${name}'`);
  const buf = await readRegularFile(path.join(dir, `${name}.f32`));
  // Copy into an aligned buffer: Float32Array needs a 4-byte aligned offset.
  const data = new Float32Array(buf.byteLength / 4);
  new Uint8Array(data.buffer).set(buf);
  return { shape, data };
}
