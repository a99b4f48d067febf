/**
 * Training kernels for @tensorflow/tfjs-backend-wasm@4.22.0, composed from kernels the wasm backend has.
 *
 * What a CNN's `model.fit` runs (found with `tf.profile` over training steps of the MNIST and CIFAR-10 CNNs in
 * ./cnn.ts: Conv2D, ReLU, MaxPool, BatchNormalization, Dropout, Flatten, Dense, softmax, sparse categorical
 * cross-entropy, Adam), checked against `tf.getKernelsForBackend('wasm')`: everything is native on wasm
 * (Conv2DBackpropInput, MaxPoolGrad, FusedBatchNorm and the ops of its gradient, Step for ReLU's gradient, …)
 * except **Conv2DBackpropFilter**, the gradient of a convolution with respect to its filter. Without it
 * `model.fit` throws "Cannot find registered kernel 'Conv2DBackpropFilter' for backend 'wasm'".
 *
 * Both convolution gradients below are computed as one forward convolution on the wasm backend, which runs
 * XNNPACK (wasm's BatchMatMul is a plain loop, so im2col + matMul measured 4–15× slower here):
 *
 * Conv2DBackpropFilter:  dW[a, b, ci, co] = Σ_{n, i, j} xPadded[n, i·s + a, j·s + b, ci] · dy[n, i, j, co]
 *   is a 'valid' convolution of x with batch and channel swapped (x → [Ci, H, W, N], the forward padding applied
 *   as explicit padding) by the filter dy → [Ho, Wo, N, Co] dilated by the forward stride. Its output
 *   [Ci, kh', kw', Co] (kh' > kh only when a 'valid' stride left input rows unused) is cropped to kh × kw and
 *   transposed to [kh, kw, Ci, Co].
 *
 * Conv2DBackpropInput (only with `replaceSlowKernels`; wasm has a native one, but it is a naive loop, 4–10×
 *   slower than this on the CNNs' shapes and about half of a training step): dx is the stride-1 convolution of
 *   dy, with (s − 1) zeros inserted between its rows/columns, by the filter rotated 180° with in/out channels
 *   swapped ([kh, kw, Co, Ci]), padded by (k − 1 − padBefore) before and whatever makes the output H × W after.
 *   Configurations it does not cover (explicit padding ≥ the kernel size) go to the native kernel.
 *
 * Tile (only with `replaceSlowKernels`; wasm's native Tile is an element-by-element loop, ~20× slower): for
 *   float32/int32 it is a broadcasting Add (XNNPACK) of x, reshaped with a unit axis before every tiled axis,
 *   to zeros of shape [r0, d0, r1, d1, …] (unit axes dropped, neighbours of the same kind merged), reshaped to
 *   the output shape. Other dtypes, or more than 6 broadcast axes (XNNPACK's limit), go to the native kernel.
 *
 * The convolution kernels handle NHWC and NCHW (by transposing), 'same' / 'valid' / numeric / explicit
 * padding, any positive integer strides; tfjs' conv2d gradient rejects dilations > 1 before these are called (and the kernels have no
 * dilation attribute). Intermediate tensors are freed inside `tf.tidy`.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './backend';

type Tensor4D = tfType.Tensor4D;
type TensorInfo = tfType.TensorInfo;
type KernelConfig = tfType.KernelConfig;
type KernelFunc = KernelConfig['kernelFunc'];
type Pad = Parameters<Tf['backend_util']['computeConv2DInfo']>[4];
type Pairs4 = [[number, number], [number, number], [number, number], [number, number]];

interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
interface Conv2DBackpropFilterAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}
interface Conv2DBackpropInputAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

export interface WasmKernelOptions {
  /**
   * Also replace two native but slow wasm kernels on a CNN's training path by faster composites (see the file
   * comment): Conv2DBackpropInput and Tile (BatchNormalization's gradient tiles per-channel statistics to the
   * activation's shape). Same results up to float rounding; training throughput on wasm ×1.75 for the MNIST
   * CNN and ×2.8 for the CIFAR-10 CNN on a 2-core EPYC (bench/cnn). Default false.
   */
  replaceSlowKernels?: boolean;
}

/** Kernels this module adds to 'wasm' (it lacks them). */
export const WASM_MISSING_KERNELS = ['Conv2DBackpropFilter'] as const;
/** Native wasm kernels this module can replace (`replaceSlowKernels`). */
export const WASM_REPLACEABLE_KERNELS = ['Conv2DBackpropInput', 'Tile'] as const;

/** Marks kernel functions made here, so repeated calls recognise them. */
const MARK = Symbol.for('durable-ml.wasm-kernel');
const isOurs = (config: KernelConfig | undefined): boolean =>
  config != null && (config.kernelFunc as unknown as Record<symbol, unknown>)[MARK] === true;

/**
 * Registers, for the 'wasm' backend, the training kernels it lacks (see the file comment) and, with
 * `replaceSlowKernels`, the faster Conv2DBackpropInput and Tile. Idempotent: a kernel already registered for
 * 'wasm' (by an earlier call, or by a tfjs-backend-wasm that implements it) is left alone, except the native
 * Conv2DBackpropInput and Tile when replacement is asked for. Works before or after `tf.setBackend('wasm')`.
 * Returns the names of the kernels this call registered.
 */
export function registerMissingWasmKernels(tf: Tf, options: WasmKernelOptions = {}): string[] {
  const registered: string[] = [];
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') == null) {
    tf.registerKernel(mark(conv2DBackpropFilterConfig(tf)));
    registered.push('Conv2DBackpropFilter');
  }
  if (options.replaceSlowKernels) {
    const replacements: Record<(typeof WASM_REPLACEABLE_KERNELS)[number], (native?: KernelFunc) => KernelConfig> = {
      Conv2DBackpropInput: (native) => conv2DBackpropInputConfig(tf, native),
      Tile: (native) => tileConfig(tf, native),
    };
    for (const name of WASM_REPLACEABLE_KERNELS) {
      const native = tf.getKernel(name, 'wasm');
      if (isOurs(native)) continue;
      if (native != null) tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(mark(replacements[name](native?.kernelFunc)));
      registered.push(name);
    }
  }
  return registered;
}

function mark(config: KernelConfig): KernelConfig {
  Object.defineProperty(config.kernelFunc, MARK, { value: true });
  return config;
}

function fail(kernel: string, what: string): never {
  throw new Error(`${kernel} (wasm, durable-ml composite): unsupported ${what}`);
}

function checkCommon(kernel: string, a: ConvGradAttrs, infos: TensorInfo[]): { sh: number; sw: number; nchw: boolean } {
  for (const info of infos) {
    if (info == null) fail(kernel, 'call: a required input is missing');
    if (info.shape.length !== 4) fail(kernel, `input rank ${info.shape.length} (shape ${JSON.stringify(info.shape)}; rank 4 only)`);
    if (info.dtype !== 'float32') fail(kernel, `dtype ${info.dtype} (float32 only)`);
  }
  const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  if (strides == null || strides.length !== 2 || !strides.every((s) => Number.isInteger(s) && s >= 1)) {
    fail(kernel, `strides ${JSON.stringify(a.strides)} (two positive integers)`);
  }
  const dataFormat = a.dataFormat ?? 'NHWC';
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') fail(kernel, `dataFormat '${String(dataFormat)}'`);
  return { sh: strides[0], sw: strides[1], nchw: dataFormat === 'NCHW' };
}

/** Runs `body` on Tensors for the kernel's TensorInfo inputs, inside a tidy; returns its result. */
function withTensors(tf: Tf, infos: TensorInfo[], body: (ts: Tensor4D[]) => tfType.Tensor): tfType.Tensor {
  const owned: tfType.Tensor[] = [];
  const ts = infos.map((info) => {
    if (info instanceof tf.Tensor) return info as Tensor4D;
    const t = tf.engine().makeTensorFromTensorInfo(info) as Tensor4D;
    owned.push(t);
    return t;
  });
  try {
    return tf.tidy(() => body(ts));
  } finally {
    for (const t of owned) t.dispose();
  }
}

const toNHWC = (tf: Tf, t: Tensor4D): Tensor4D => tf.transpose(t, [0, 2, 3, 1]);
const toNCHW = (tf: Tf, t: Tensor4D): Tensor4D => tf.transpose(t, [0, 3, 1, 2]);
const nhwcShape = (s: number[], nchw: boolean): [number, number, number, number] =>
  nchw ? [s[0], s[2], s[3], s[1]] : [s[0], s[1], s[2], s[3]];

function convInfo(tf: Tf, kernel: string, xShape: number[], filterShape: number[], sh: number, sw: number, a: ConvGradAttrs) {
  try {
    return tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      [sh, sw],
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
  } catch (err) {
    fail(kernel, `configuration: ${(err as Error).message}`);
  }
}

function conv2DBackpropFilterConfig(tf: Tf): KernelConfig {
  const name = 'Conv2DBackpropFilter';
  const kernelFunc = ({ inputs, attrs }: { inputs: Record<string, TensorInfo>; attrs?: unknown }): TensorInfo => {
    const a = attrs as Conv2DBackpropFilterAttrs;
    const { sh, sw, nchw } = checkCommon(name, a, [inputs.x, inputs.dy]);
    const filterShape = a.filterShape;
    if (filterShape == null || filterShape.length !== 4) fail(name, `filterShape ${JSON.stringify(filterShape)}`);
    const [kh, kw, inC, outC] = filterShape;
    const xShape = nhwcShape(inputs.x.shape, nchw);
    const [n, h, w, c] = xShape;
    if (c !== inC) fail(name, `input channels ${c} ≠ filterShape[2] ${inC}`);
    const info = convInfo(tf, name, xShape, filterShape, sh, sw, a);
    const { outHeight: oh, outWidth: ow } = info;
    const dyShape = nhwcShape(inputs.dy.shape, nchw);
    if (dyShape.join() !== [n, oh, ow, outC].join()) {
      fail(name, `dy shape ${JSON.stringify(inputs.dy.shape)} for x ${JSON.stringify(inputs.x.shape)} and filter ${JSON.stringify(filterShape)}`);
    }
    return withTensors(tf, [inputs.x, inputs.dy], ([x0, dy0]) => {
      if (oh <= 0 || ow <= 0 || n === 0) return tf.zeros(filterShape);
      const x = nchw ? toNHWC(tf, x0) : x0;
      const dy = nchw ? toNHWC(tf, dy0) : dy0;
      const { top, left } = info.padInfo;
      // The forward pass read rows up to (oh − 1)·sh + kh of the padded input; pad the end up to that only.
      const bottom = Math.max(0, (oh - 1) * sh + kh - h - top);
      const right = Math.max(0, (ow - 1) * sw + kw - w - left);
      const xT = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]: the batch is the contracted "channel" axis
      const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]: the "filter"
      const pad: Pairs4 = [[0, 0], [top, bottom], [left, right], [0, 0]];
      let g = tf.conv2d(xT, dyT, 1, top || bottom || left || right ? pad : 'valid', 'NHWC', [sh, sw]); // [Ci, kh', kw', Co]
      if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [inC, kh, kw, outC]);
      return tf.transpose(g, [1, 2, 0, 3]); // [kh, kw, Ci, Co]
    });
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

function conv2DBackpropInputConfig(tf: Tf, native: KernelFunc | undefined): KernelConfig {
  const name = 'Conv2DBackpropInput';
  const kernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs?: unknown; backend: unknown }): TensorInfo | TensorInfo[] => {
    const { inputs, attrs } = args;
    const a = attrs as Conv2DBackpropInputAttrs;
    const { sh, sw, nchw } = checkCommon(name, a, [inputs.dy, inputs.filter]);
    const inputShape = a.inputShape;
    if (inputShape == null || inputShape.length !== 4) fail(name, `inputShape ${JSON.stringify(inputShape)}`);
    const xShape = nhwcShape(inputShape, nchw);
    const [n, h, w, c] = xShape;
    const filterShape = inputs.filter.shape as [number, number, number, number];
    const [kh, kw, inC, outC] = filterShape;
    if (c !== inC) fail(name, `input channels ${c} ≠ filter in-channels ${inC}`);
    const info = convInfo(tf, name, xShape, filterShape, sh, sw, a);
    const { outHeight: oh, outWidth: ow } = info;
    if (nhwcShape(inputs.dy.shape, nchw).join() !== [n, oh, ow, outC].join()) {
      fail(name, `dy shape ${JSON.stringify(inputs.dy.shape)} for input ${JSON.stringify(inputShape)} and filter ${JSON.stringify(filterShape)}`);
    }
    const { top, left } = info.padInfo;
    const pt = kh - 1 - top;
    const pl = kw - 1 - left;
    const pb = h - (oh - 1) * sh - 1 + top;
    const pr = w - (ow - 1) * sw - 1 + left;
    if (pt < 0 || pl < 0 || pb < 0 || pr < 0 || oh <= 0 || ow <= 0 || n === 0) {
      // Padding at least as large as the kernel (or empty outputs): leave these rare cases to the native kernel.
      if (native) return native(args as Parameters<KernelFunc>[0]);
      fail(name, `padding ${JSON.stringify(a.pad)} for filter ${kh}×${kw}`);
    }
    return withTensors(tf, [inputs.dy, inputs.filter], ([dy0, filter]) => {
      let dy = nchw ? toNHWC(tf, dy0) : dy0;
      if (sh > 1 || sw > 1) {
        // Insert (s − 1) zeros after every row/column, then drop the trailing ones.
        const spaced = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, outC]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
        const dense = tf.reshape(spaced, [n, oh * sh, ow * sw, outC]) as Tensor4D;
        dy = tf.slice(dense, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, outC]);
      }
      const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Co, Ci]
      const pad: Pairs4 = [[0, 0], [pt, pb], [pl, pr], [0, 0]];
      const dx = tf.conv2d(dy, rotated as Tensor4D, 1, pt || pb || pl || pr ? pad : 'valid'); // [N, H, W, Ci]
      return nchw ? toNCHW(tf, dx) : dx;
    });
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}

function tileConfig(tf: Tf, native: KernelFunc | undefined): KernelConfig {
  const name = 'Tile';
  const kernelFunc = (args: { inputs: Record<string, TensorInfo>; attrs?: unknown; backend: unknown }): TensorInfo | TensorInfo[] => {
    const x = args.inputs.x;
    const reps = (args.attrs as { reps?: number[] } | undefined)?.reps;
    if (x == null || reps == null || reps.length !== x.shape.length) {
      if (native) return native(args as Parameters<KernelFunc>[0]);
      fail(name, `reps ${JSON.stringify(reps)} for shape ${JSON.stringify(x?.shape)}`);
    }
    // Factor the output as [r0, d0, r1, d1, …]; 'r' axes are broadcast from x, 'x' axes are x's own.
    const axes: { kind: 'r' | 'x'; size: number }[] = [];
    const push = (kind: 'r' | 'x', size: number) => {
      if (size === 1) return;
      const last = axes[axes.length - 1];
      if (last?.kind === kind) last.size *= size;
      else axes.push({ kind, size });
    };
    x.shape.forEach((d, i) => {
      push('r', reps[i]);
      push('x', d);
    });
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const numeric = x.dtype === 'float32' || x.dtype === 'int32';
    if (!numeric || axes.length > 6 || outShape.some((d) => d === 0) || !reps.every((r) => Number.isInteger(r) && r >= 1)) {
      if (native) return native(args as Parameters<KernelFunc>[0]);
      fail(name, `dtype ${x.dtype} / reps ${JSON.stringify(reps)} without the native kernel`);
    }
    return withTensors(tf, [x], ([t4]) => {
      const t = t4 as tfType.Tensor; // any rank
      if (axes.every((a) => a.kind === 'x')) return tf.reshape(t, outShape); // all reps 1: a copy
      const xShape = axes.map((a) => (a.kind === 'x' ? a.size : 1));
      const zeros = tf.zeros(
        axes.map((a) => a.size),
        x.dtype as 'float32' | 'int32',
      );
      return tf.reshape(tf.add(tf.reshape(t, xShape), zeros), outShape);
    });
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
