/** Batch inference with a saved tfjs model, in a worker thread (inference is as synchronous as training). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runInThread } from './run-in-thread';

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
