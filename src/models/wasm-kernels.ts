/**
 * Training kernels that @tensorflow/tfjs-backend-wasm@4.22.0 lacks, composed from kernels it has.
 *
 * What a CNN's `model.fit` runs (found with `tf.profile` over one training step of the MNIST and CIFAR-10 CNNs in
 * ./cnn.ts: Conv2D, Relu, MaxPool, BatchNormalization, Dropout, Flatten, Dense, softmax, sparse categorical
 * cross-entropy, Adam) against `tf.getKernelsForBackend('wasm')`: every kernel is native on wasm
 * (Conv2DBackpropInput, MaxPoolGrad, FusedBatchNorm and the ops of its gradient, Step for Relu's gradient, …)
 * except **Conv2DBackpropFilter**, the gradient of a convolution with respect to its filter. Without it
 * `model.fit` throws "Cannot find registered kernel 'Conv2DBackpropFilter' for backend 'wasm'".
 *
 * Conv2DBackpropFilter is computed as one forward convolution on the wasm backend (XNNPACK):
 *
 *   dW[a, b, ci, co] = Σ_{n, i, j} xPadded[n, i·s + a, j·s + b, ci] · dy[n, i, j, co]
 *
 * is a "valid" convolution of x with the batch axis moved to the channel axis (x → [Ci, H, W, N], the
 * padding of the forward pass applied as explicit padding) by the filter dy → [Ho, Wo, N, Co], dilated by the
 * forward stride; its output [Ci, kh', kw', Co] (kh' ≥ kh, extra rows only when a 'valid' stride leaves input
 * rows unused) is cropped to [Ci, kh, kw, Co] and transposed to the filter layout [kh, kw, Ci, Co].
 * On this machine that is 4–15× faster than im2col + matMul on wasm (wasm's BatchMatMul is not XNNPACK),
 * e.g. 64×32×32×32 → 32 channels, 3×3 'same': 100 ms vs 650–890 ms per call.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './backend';

type Tensor4D = tfType.Tensor4D;
type TensorInfo = tfType.TensorInfo;
type KernelConfig = tfType.KernelConfig;
type NamedTensorInfoMap = Record<string, TensorInfo>;

/** Attributes of the Conv2DBackpropFilter kernel, as tfjs-core's conv2d gradient passes them. */
interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | number[][];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Names of the kernels this module provides for the 'wasm' backend. */
export const WASM_EXTRA_KERNELS = ['Conv2DBackpropFilter'] as const;

/**
 * Registers, for the 'wasm' backend, the training kernels it lacks (see the file comment). Idempotent: a kernel
 * that is already registered for 'wasm' (by an earlier call, or by a future tfjs-backend-wasm that implements it)
 * is left alone. Works before or after `tf.setBackend('wasm')`. Returns the names registered by this call.
 */
export function registerMissingWasmKernels(tf: Tf): string[] {
  const registered: string[] = [];
  const configs: KernelConfig[] = [conv2DBackpropFilterConfig(tf)];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) continue;
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}

/** Throws when a Conv2DBackpropFilter call is outside what the composition supports. */
function unsupported(what: string): never {
  throw new Error(`Conv2DBackpropFilter (wasm, durable-ml composite): unsupported ${what}`);
}

function pair(v: [number, number] | number, name: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((s) => Number.isInteger(s) && s >= 1)) unsupported(`${name} ${JSON.stringify(v)} (positive integers only)`);
  return p;
}

function conv2DBackpropFilterConfig(tf: Tf): KernelConfig {
  const kernelFunc = ({ inputs, attrs }: { inputs: NamedTensorInfoMap; attrs?: unknown }): TensorInfo => {
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    const { x: xInfo, dy: dyInfo } = inputs;
    if (xInfo == null || dyInfo == null) unsupported('call: inputs x and dy are required');
    if (xInfo.shape.length !== 4 || dyInfo.shape.length !== 4) {
      unsupported(`ranks: x ${JSON.stringify(xInfo.shape)}, dy ${JSON.stringify(dyInfo.shape)} (rank 4 only)`);
    }
    if (xInfo.dtype !== 'float32' || dyInfo.dtype !== 'float32') unsupported(`dtype ${xInfo.dtype}/${dyInfo.dtype} (float32 only)`);
    const filterShape = a.filterShape;
    if (filterShape == null || filterShape.length !== 4) unsupported(`filterShape ${JSON.stringify(filterShape)}`);
    const [kh, kw, inC, outC] = filterShape;
    const [sh, sw] = pair(a.strides, 'strides');
    const dataFormat = a.dataFormat ?? 'NHWC';
    if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') unsupported(`dataFormat '${String(dataFormat)}'`);

    // Kernels may be handed bare TensorInfos; make Tensors (sharing the data) to compose ops on.
    const owned: tfType.Tensor[] = [];
    const asTensor = (info: TensorInfo): Tensor4D => {
      if (info instanceof tf.Tensor) return info as Tensor4D;
      const t = tf.engine().makeTensorFromTensorInfo(info) as Tensor4D;
      owned.push(t);
      return t;
    };
    try {
      return tf.tidy(() => {
        let x = asTensor(xInfo);
        let dy = asTensor(dyInfo);
        if (dataFormat === 'NCHW') {
          x = tf.transpose(x, [0, 2, 3, 1]);
          dy = tf.transpose(dy, [0, 2, 3, 1]);
        }
        const [n, h, w, c] = x.shape;
        if (c !== inC) unsupported(`input channels ${c} != filterShape[2] ${inC}`);
        const info = tf.backend_util.computeConv2DInfo(
          [n, h, w, c],
          filterShape,
          [sh, sw],
          1,
          a.pad as Parameters<typeof tf.backend_util.computeConv2DInfo>[4],
          a.dimRoundingMode,
          false,
          'channelsLast',
        );
        const { outHeight: oh, outWidth: ow } = info;
        if (dy.shape[0] !== n || dy.shape[1] !== oh || dy.shape[2] !== ow || dy.shape[3] !== outC) {
          unsupported(`dy shape ${JSON.stringify(dy.shape)}, expected ${JSON.stringify([n, oh, ow, outC])}`);
        }
        if (oh <= 0 || ow <= 0) return tf.zeros(filterShape);
        const { top, left } = info.padInfo;
        // Rows/columns the forward pass read: (o - 1)·s + k from the padded input's start; pad the end up to that.
        const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
        const right = Math.max(0, (ow - 1) * sw + kw - w - left);
        const xT = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]: batch becomes the contracted channel axis
        const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]: the "filter"
        const pad: [[number, number], [number, number], [number, number], [number, number]] = [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ];
        let g = tf.conv2d(xT, dyT, 1, top || bottom || left || right ? pad : 'valid', 'NHWC', [sh, sw]); // [Ci, kh', kw', Co]
        if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [inC, kh, kw, outC]);
        return tf.transpose(g, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
      });
    } finally {
      for (const t of owned) t.dispose();
    }
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'] };
}
