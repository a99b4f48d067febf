/**
 * Picks the best TensorFlow.js backend available at run time, in this order:
 *   @tensorflow/tfjs-node-gpu (CUDA libtensorflow) → @tensorflow/tfjs-node (CPU libtensorflow)
 *   → @tensorflow/tfjs-backend-wasm (SIMD) → the pure-JS cpu backend.
 * The native packages download libtensorflow at install time, so they are optional: a GPU worker image
 * installs @tensorflow/tfjs-node-gpu (see docker/worker-gpu.Dockerfile); elsewhere wasm runs.
 * Set DML_TFJS_BACKEND=tensorflow|wasm|cpu to force one.
 */
import type * as tfType from '@tensorflow/tfjs';
import { registerMissingWasmKernels } from './wasm-kernels';

export type Tf = typeof tfType;

export interface LoadedBackend {
  tf: Tf;
  /** tfjs backend name: 'tensorflow' (native, GPU or CPU), 'wasm' or 'cpu'. */
  backend: string;
  /** Package that provides it, with version, e.g. '@tensorflow/tfjs-backend-wasm@4.22.0'. */
  provider: string;
  gpu: boolean;
  /** Why the better candidates were skipped. */
  skipped: string[];
}

let loaded: Promise<LoadedBackend> | undefined;

export function loadTfBackend(): Promise<LoadedBackend> {
  loaded ??= pickBackend(process.env.DML_TFJS_BACKEND);
  return loaded;
}

export function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function pickBackend(forced?: string): Promise<LoadedBackend> {
  const skipped: string[] = [];
  const wants = (name: string) => !forced || forced === name;

  if (wants('tensorflow')) {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        const tf = require(pkg) as Tf;
        await tf.ready();
        return { tf, backend: tf.getBackend(), provider: `${pkg}@${packageVersion(pkg)}`, gpu: pkg.endsWith('-gpu'), skipped };
      } catch (err) {
        skipped.push(`${pkg}: ${shortReason(err)}`);
      }
    }
  }
  const tf = require('@tensorflow/tfjs') as Tf;
  if (wants('wasm')) {
    try {
      require('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        // wasm lacks Conv2DBackpropFilter (CNN training) and has slow Conv2DBackpropInput/Tile kernels.
        registerMissingWasmKernels(tf, { replaceSlowKernels: true });
        const pkg = '@tensorflow/tfjs-backend-wasm';
        return { tf, backend: 'wasm', provider: `${pkg}@${packageVersion(pkg)}`, gpu: false, skipped };
      }
      skipped.push('wasm: setBackend returned false');
    } catch (err) {
      skipped.push(`@tensorflow/tfjs-backend-wasm: ${shortReason(err)}`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu', provider: `@tensorflow/tfjs@${packageVersion('@tensorflow/tfjs')}`, gpu: false, skipped };
}

function shortReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e.message ?? String(err)).split('\n')[0];
}

export function describeBackend(b: LoadedBackend): string {
  return `${b.backend} (${b.provider}${b.gpu ? ', GPU' : ''})${b.skipped.length ? `; skipped ${b.skipped.join('; ')}` : ''}`;
}
