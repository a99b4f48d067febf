/**
 * Fixes for kernels of @tensorflow/tfjs-node 4.22.0 when it runs on the TensorFlow C library this project builds it
 * against (2.21.0, scripts/setup-tensorflow.sh) instead of the 2.9.1 it was released with.
 *
 * Round on int32: TensorFlow 2.21's CPU kernel returns 0 for every int32 element (tfjs-core's own test suite shows
 * it; test/unit/native-backend.test.ts checks this fix). Rounding an integer is the identity, so int32 (and bool)
 * inputs go to the Identity kernel and floats stay on TensorFlow's Round.
 *
 * Step (speed): the gradient of every ReLU (tfjs-layers fuses it into conv2d and dense) is dy · step(y). tfjs-node
 * computes step with ~8 ops and two full-size constant tensors (isNaN, greater, ones, fill, where, select): 10 of the
 * 70 ms of an MNIST CNN training step here. For the ReLU case (alpha 0, float32) relu(sign(x)) is the same function,
 * NaN included, in two element-wise TensorFlow ops, ~3.5× faster; other cases keep tfjs-node's kernel.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './backend';

const patched = new WeakSet<object>();

/** The TensorFlow kernels replaced here, by name (tests call them to show the bug each works around). */
export const replacedNativeKernels = new Map<string, KernelConfig>();

export function patchNativeKernels(tf: Tf): void {
  const backendName = tf.getBackend();
  if (backendName !== 'tensorflow' || patched.has(tf.engine())) return;
  patched.add(tf.engine());
  const kernel = (name: string) => tf.getKernel(name, backendName);
  const [round, identity, step, sign, relu] = ['Round', 'Identity', 'Step', 'Sign', 'Relu'].map(kernel);
  if (round && identity) {
    replace(tf, round, (args) => {
      const x = args.inputs.x as TensorInfo;
      return x.dtype === 'float32' ? round.kernelFunc(args) : identity.kernelFunc({ ...args, attrs: {} });
    });
  }
  if (step && sign && relu) {
    replace(tf, step, (args) => {
      const x = args.inputs.x as TensorInfo;
      if (x.dtype !== 'float32' || Number((args.attrs as { alpha?: number }).alpha ?? 0) !== 0) return step.kernelFunc(args);
      const signs = sign.kernelFunc({ inputs: { x }, backend: args.backend, attrs: {} }) as TensorInfo;
      const out = relu.kernelFunc({ inputs: { x: signs }, backend: args.backend, attrs: {} });
      (args.backend as { disposeData(dataId: object): void }).disposeData(signs.dataId);
      return out;
    });
  }
}

function replace(tf: Tf, original: KernelConfig, kernelFunc: KernelConfig['kernelFunc']): void {
  replacedNativeKernels.set(original.kernelName, original);
  tf.unregisterKernel(original.kernelName, original.backendName);
  tf.registerKernel({ ...original, kernelFunc });
}
