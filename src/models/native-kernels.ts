/**
 * Fixes for kernels of @tensorflow/tfjs-node 4.22.0 when it runs on the TensorFlow C library this project builds it
 * against (2.21.0, scripts/setup-tensorflow.sh) instead of the 2.9.1 it was released with.
 *
 * Round on int32: TensorFlow 2.21's CPU kernel returns 0 for every int32 element (tfjs-core's own test suite shows
 * it; test/unit/native-backend.test.ts checks this fix). Rounding an integer is the identity, so int32 (and bool)
 * inputs go to the Identity kernel and floats stay on TensorFlow's Round.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import type { Tf } from './backend';

const patched = new WeakSet<object>();

/** The TensorFlow kernels replaced here, by name (tests call them to show the bug each works around). */
export const replacedNativeKernels = new Map<string, KernelConfig>();

export function patchNativeKernels(tf: Tf): void {
  const backendName = tf.getBackend();
  if (backendName !== 'tensorflow' || patched.has(tf.engine())) return;
  patched.add(tf.engine());
  const round = tf.getKernel('Round', backendName);
  const identity = tf.getKernel('Identity', backendName);
  if (!round || !identity) return;
  const fixed: KernelConfig = {
    ...round,
    kernelFunc: (args) => {
      const x = args.inputs.x as { dtype: string };
      return x.dtype === 'float32' ? round.kernelFunc(args) : identity.kernelFunc({ ...args, attrs: {} });
    },
  };
  replacedNativeKernels.set('Round', round);
  tf.unregisterKernel('Round', backendName);
  tf.registerKernel(fixed);
}
