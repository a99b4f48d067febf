/** Batch inference with a saved tfjs model, in a worker thread (inference is as synchronous as training). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runInThread } from './run-in-thread';
import { writeArraysAtomically, type StoredArray } from '../../data/arrays';

export async function predictInThread(modelDir: string, preparedDir: string, input: string, signal?: AbortSignal): Promise<Float32Array> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dml-predict-'));
  try {
    const outputFile = path.join(tmp, 'predictions.f32');
    await runInThread({ mode: 'predict', modelDir, preparedDir, input, outputFile }, () => undefined, signal);
    const buf = await fs.readFile(outputFile);
    const out = new Float32Array(buf.byteLength / 4);
    new Uint8Array(out.buffer).set(buf);
    return out;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** Predictions for an array held in memory (e.g. another model's rescaled test features), staged in a temporary folder. */
export async function predictOn(modelDir: string, x: StoredArray, signal?: AbortSignal): Promise<Float32Array> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dml-predict-input-'));
  try {
    const dir = path.join(tmp, 'prepared');
    await writeArraysAtomically(dir, { x });
    return await predictInThread(modelDir, dir, 'x', signal);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
