/**
 * Picks the best TensorFlow.js backend available at run time, in this order:
 *   @tensorflow/tfjs-node-gpu (CUDA TensorFlow) → @tensorflow/tfjs-node (CPU TensorFlow)
 *   → @tensorflow/tfjs-backend-wasm (SIMD) → the pure-JS cpu backend.
 * scripts/setup.sh builds @tensorflow/tfjs-node against the TensorFlow C library of a pinned PyPI wheel
 * (scripts/setup-tensorflow.sh); a GPU worker also builds @tensorflow/tfjs-node-gpu (`setup-tensorflow.sh build gpu`).
 * A package whose addon is not built is skipped, with the reason kept in `skipped`.
 * Set DML_TFJS_BACKEND=tensorflow|wasm|cpu to force one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { processSettings } from '../config';
import { patchNativeKernels } from './native-kernels';
import { registerMissingWasmKernels } from './wasm-kernels';

export type Tf = typeof tfType;

export interface LoadedBackend {
  tf: Tf;
  /** tfjs backend name: 'tensorflow' (native, GPU or CPU), 'wasm' or 'cpu'. */
  backend: string;
  /** Package that provides it, with version, e.g. '@tensorflow/tfjs-backend-wasm@4.22.0'. */
  provider: string;
  gpu: boolean;
  /** TensorFlow C library version on the native backends, e.g. '2.21.0'. */
  tensorflowVersion?: string;
  /** Threads one op may use: TensorFlow's intra-op pool on native, 1 on wasm (no threads in Node) and cpu. */
  threads: number;
  /** Why the better candidates were skipped. */
  skipped: string[];
}

let loaded: Promise<LoadedBackend> | undefined;

export function loadTfBackend(): Promise<LoadedBackend> {
  loaded ??= pickBackend(processSettings.tfjsBackend());
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
    // TensorFlow's INFO lines (CPU feature guard, oneDNN notices) would interleave with the JSON logs. TF_* variables are
    // TensorFlow's own (read by libtensorflow itself), so they are set and read here, not in src/config.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        // Requiring a package whose addon is missing registers its kernels before it throws, and the next package's
        // then clash with them: look for the compiled addon first.
        if (!addonBuilt(pkg)) {
          skipped.push(`${pkg}: addon not built (scripts/setup-tensorflow.sh build ${pkg.endsWith('-gpu') ? 'gpu' : 'cpu'})`);
          continue;
        }
        const tf = require(pkg) as Tf;
        await tf.ready();
        patchNativeKernels(tf);
        const native = tf.backend() as unknown as NativeBackend;
        return {
          tf,
          backend: tf.getBackend(),
          provider: `${pkg}@${packageVersion(pkg)}`,
          gpu: pkg.endsWith('-gpu') && native.isUsingGpuDevice === true,
          tensorflowVersion: native.binding?.TF_Version,
          threads: intraOpThreads(),
          skipped,
        };
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
        return { tf, backend: 'wasm', provider: `${pkg}@${packageVersion(pkg)}`, gpu: false, threads: 1, skipped };
      }
      skipped.push('wasm: setBackend returned false');
    } catch (err) {
      skipped.push(`@tensorflow/tfjs-backend-wasm: ${shortReason(err)}`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu', provider: `@tensorflow/tfjs@${packageVersion('@tensorflow/tfjs')}`, gpu: false, threads: 1, skipped };
}

/** tfjs-node keeps its compiled addon at lib/napi-v<N>/tfjs_binding.node (package.json "binary.module_path"). */
function addonBuilt(pkg: string): boolean {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return false;
  }
  const lib = path.join(dir, 'lib');
  return fs.existsSync(lib) && fs.readdirSync(lib).some((d) => fs.existsSync(path.join(lib, d, 'tfjs_binding.node')));
}

/** What tfjs-node's backend object exposes beyond the tfjs interface. */
interface NativeBackend {
  binding?: { TF_Version?: string };
  isUsingGpuDevice?: boolean;
}

/** TensorFlow sizes its intra-op pool from TF_NUM_INTRAOP_THREADS (its own variable, hence not in src/config), else from the cores it may use. */
function intraOpThreads(): number {
  const fromEnv = Number(process.env.TF_NUM_INTRAOP_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism();
}

function shortReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === 'MODULE_NOT_FOUND') return 'not installed';
  return (e.message ?? String(err)).split('\n')[0];
}

export function describeBackend(b: LoadedBackend): string {
  const details = [b.provider, b.tensorflowVersion && `TensorFlow ${b.tensorflowVersion}`, b.gpu && 'GPU', `${b.threads} thread${b.threads === 1 ? '' : 's'}`];
  return `${b.backend} (${details.filter(Boolean).join(', ')})${b.skipped.length ? `; skipped ${b.skipped.join('; ')}` : ''}`;
}
