/**
 * Training throughput of the image CNNs (src/models/cnn.ts) and the tick RNN on the tfjs backends available here:
 * native TensorFlow (@tensorflow/tfjs-node, built by scripts/setup-tensorflow.sh), wasm, the pure-JS cpu backend,
 * against PyTorch on the CPU.
 *
 *   npx tsc -p tsconfig.json && node build/bench/cnn/throughput.js [--repeats N] [--samples N] [--cifar-samples N]
 *     [--cpu-samples N] [--no-cpu] [--no-cifar] [--no-torch] [--no-torch-one-thread] [--torch-python PATH]
 *     [--idle-wait S] [--retries N] [--out DIR]
 *
 * Sides (each a model built once, trained by `model.fit` on random data, batch 64, one epoch per repeat, after one
 * warm-up batch; repeats interleaved round-robin with a rotating order so background load hits all sides alike):
 *   mnist/native      MNIST CNN on native TensorFlow (tfjs-node), TensorFlow's intra-op threads = the cores
 *   cifar10/native    the CIFAR-10 CNN on native TensorFlow
 *   tick/native, tick/wasm, tick/cpu   the tick LSTM (units 16, 30 steps × 11 features, the pipeline's defaults)
 *   mnist/wasm        MNIST CNN, wasm backend + registerMissingWasmKernels(tf) (Conv2DBackpropFilter composite)
 *   mnist/wasm-fast   the same + { replaceSlowKernels: true } (composite Conv2DBackpropInput and Tile)
 *   mnist/cpu         MNIST CNN, pure-JS cpu backend (capped at --cpu-samples: it is very slow)
 *   cifar10/wasm, cifar10/wasm-fast   the CIFAR-10 CNN on wasm, both kernel sets
 *   mnist/torch       the same MNIST CNN in PyTorch on the CPU, all cores (bench/cnn/torch_reference.py, run from
 *                     .venv-bench, which `bash bench/setup-torch.sh` installs; skipped with a note when torch is absent)
 *   mnist/torch-1thread   the same with one torch thread: tfjs's wasm and cpu backends use one thread here
 * The wasm ↔ wasm-fast switch re-registers the native kernels between repeats (same process, same models); the torch
 * sides are long-lived Python processes that train one epoch per request, so their repeats interleave with the rest.
 *
 * Before each repeat the benchmark waits up to --idle-wait S (default 60) for other processes to use < 15 % of the
 * CPUs, measures what they use during it, and runs a repeat they used > 10 % during again, up to --retries N (default 3)
 * times (discarded attempts are kept in the JSON).
 * Reported per side: samples/s of every repeat, median, and the tensor count / wasm heap before and after each
 * repeat (a leak would show as growth); for MNIST, each tfjs side's median over torch's (the goal is ≥ 0.5).
 * Writes <out>/cnn-throughput.json and .md (default out: bench/results).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as tfType from '@tensorflow/tfjs';
import { buildCifar10Cnn, buildMnistCnn, CIFAR10_INPUT_SHAPE, MNIST_INPUT_SHAPE } from '../../src/models/cnn';
import { buildModel } from '../../src/models/architectures';
import { registerMissingWasmKernels, WASM_REPLACEABLE_KERNELS } from '../../src/models/wasm-kernels';
import { machineInfo } from '../machine';
import { loadTfBackend, packageVersion } from '../../src/models/backend';
import { probeTorch, TorchRunner, type TorchSetup } from './torch-side';
import { foreignCpuMeter, waitForQuiet } from '../background-load';
import { writeResults } from '../write-results';

type Tf = typeof tfType;
const BATCH = 64;
/** A repeat during which other processes used more than this share of the machine is run again (--retries). */
const DISTURBED_SHARE = 0.1;
/** Issue 12: native TensorFlow should train the MNIST CNN at ≥ 0.6× PyTorch's CPU speed (all cores). */
const GOAL_RATIO = 0.6;
/** The tick model's input in the pipeline's defaults: 30 one-minute bars × 11 features. */
const TICK_INPUT_SHAPE = [30, 11] as const;
/** CIFAR-10's training set: the estimate of one real epoch's time. */
const CIFAR10_TRAIN_IMAGES = 50_000;

interface Options {
  repeats: number;
  samples: number;
  cifarSamples: number;
  cpuSamples: number;
  nativeSamples: number;
  tickSamples: number;
  cpu: boolean;
  cifar: boolean;
  tick: boolean;
  torch: boolean;
  torchOneThread: boolean;
  torchPython: string;
  idleWaitS: number;
  retries: number;
  outDir: string;
}

interface Side {
  name: string;
  model: 'mnist-cnn' | 'cifar10-cnn' | 'tick-rnn';
  backend: 'tensorflow' | 'wasm' | 'cpu' | 'torch';
  fastKernels: boolean;
  samples: number;
  /** torch sides: intra-op threads. */
  threads?: number;
}

interface Repeat {
  samples: number;
  seconds: number;
  samplesPerSec: number;
  /** tfjs sides only. */
  tensorsBefore?: number;
  tensorsAfter?: number;
  wasmHeapMiBAfter?: number;
  /** Resident memory of the whole benchmark process after the repeat (all sides share it). */
  rssMiBAfter?: number;
  /** Share of the machine (0–1) that other processes used in the second before / during the repeat. */
  foreignCpuBefore?: number;
  foreignCpuDuring?: number;
}

interface SideResult extends Side {
  params: number;
  warmupBatchSeconds: number;
  repeats: Repeat[];
  medianSamplesPerSec: number;
  minSamplesPerSec: number;
  maxSamplesPerSec: number;
}

const root = path.resolve(__dirname, '..', '..', '..');

function parseArgs(argv: string[]): Options {
  const o: Options = {
    repeats: 3,
    samples: 512,
    cifarSamples: 256,
    cpuSamples: 64,
    nativeSamples: 2048,
    tickSamples: 1024,
    cpu: true,
    cifar: true,
    tick: true,
    torch: true,
    torchOneThread: true,
    torchPython: process.env.TORCH_PYTHON ?? path.join(root, '.venv-bench', 'bin', 'python'),
    idleWaitS: 60,
    retries: 3,
    outDir: path.join(root, 'bench', 'results'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (min = 1) => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < min) throw new Error(`${a} needs an integer ≥ ${min}`);
      return v;
    };
    if (a === '--repeats') o.repeats = num();
    else if (a === '--samples') o.samples = num();
    else if (a === '--cifar-samples') o.cifarSamples = num();
    else if (a === '--cpu-samples') o.cpuSamples = num();
    else if (a === '--native-samples') o.nativeSamples = num();
    else if (a === '--tick-samples') o.tickSamples = num();
    else if (a === '--no-tick') o.tick = false;
    else if (a === '--no-cpu') o.cpu = false;
    else if (a === '--no-cifar') o.cifar = false;
    else if (a === '--no-torch') o.torch = false;
    else if (a === '--no-torch-one-thread') o.torchOneThread = false;
    else if (a === '--torch-python') o.torchPython = path.resolve(argv[++i]);
    else if (a === '--idle-wait') o.idleWaitS = num(0);
    else if (a === '--retries') o.retries = num(0);
    else if (a === '--out') o.outDir = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (o.repeats < 3) throw new Error('--repeats must be at least 3 (the report is a median)');
  return o;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The side's model, built on the current backend, and its input shape (without the batch axis). */
function buildSide(tf: Tf, side: Side): { model: tfType.LayersModel; shape: readonly number[] } {
  if (side.model === 'tick-rnn') {
    return { model: buildModel(tf, 'tick-rnn', [...TICK_INPUT_SHAPE], { units: 16, cell: 'lstm', learningRate: 1e-3 }), shape: TICK_INPUT_SHAPE };
  }
  return side.model === 'mnist-cnn'
    ? { model: buildMnistCnn(tf, { learningRate: 1e-3 }), shape: MNIST_INPUT_SHAPE }
    : { model: buildCifar10Cnn(tf, { learningRate: 1e-3 }), shape: CIFAR10_INPUT_SHAPE };
}

/**
 * What native TensorFlow adds to a setup, as scripts/setup-tensorflow.sh recorded it (.cache/tensorflow/setup-cpu.json:
 * seconds to download, unpack and compile; sizes of the wheel and the unpacked library).
 */
function nativeSetupCost(): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, '.cache', 'tensorflow', 'setup-cpu.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Switches wasm between the native kernels and the faster composites (registered once, then swapped). */
function kernelSwitch(tf: Tf): (fast: boolean) => void {
  const native = new Map(WASM_REPLACEABLE_KERNELS.map((k) => [k, tf.getKernel(k, 'wasm')]));
  registerMissingWasmKernels(tf, { replaceSlowKernels: true });
  const composite = new Map(WASM_REPLACEABLE_KERNELS.map((k) => [k, tf.getKernel(k, 'wasm')]));
  return (fast: boolean) => {
    for (const k of WASM_REPLACEABLE_KERNELS) {
      const want = (fast ? composite : native).get(k);
      if (want == null || tf.getKernel(k, 'wasm') === want) continue;
      tf.unregisterKernel(k, 'wasm');
      tf.registerKernel(want);
    }
  };
}

function wasmHeapMiB(tf: Tf): number | undefined {
  const b = tf.findBackend('wasm') as unknown as { wasm?: { HEAPU8?: Uint8Array } } | null;
  const bytes = b?.wasm?.HEAPU8?.length;
  return bytes == null ? undefined : round(bytes / 2 ** 20, 1);
}

/** /proc/loadavg as it reads (1/5/15-minute load, runnable/total tasks, last pid): the load before and after the run. */
function procLoadavg(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return os.loadavg().map((l) => round(l)).join(' ');
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const loadavgBefore = procLoadavg();
  // tfjs-node registers the 'tensorflow' backend in the same @tensorflow/tfjs instance as wasm and cpu.
  const native = await loadTfBackend();
  if (native.backend !== 'tensorflow') console.log(`native TensorFlow unavailable: ${native.skipped.join('; ')}`);
  const tf = require('@tensorflow/tfjs') as Tf;
  require('@tensorflow/tfjs-backend-wasm');
  const backends: string[] = [];
  for (const b of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      if (await tf.setBackend(b)) backends.push(b);
    } catch (err) {
      console.log(`backend ${b} unavailable: ${(err as Error).message}`);
    }
  }
  if (!backends.includes('wasm')) throw new Error('the wasm backend did not initialise');
  await tf.setBackend('wasm');
  registerMissingWasmKernels(tf);
  const useFast = kernelSwitch(tf);
  useFast(false);

  const hasNative = backends.includes('tensorflow');
  const sides: Side[] = [];
  if (hasNative) sides.push({ name: 'mnist/native', model: 'mnist-cnn', backend: 'tensorflow', fastKernels: false, samples: opts.nativeSamples });
  sides.push(
    { name: 'mnist/wasm', model: 'mnist-cnn', backend: 'wasm', fastKernels: false, samples: opts.samples },
    { name: 'mnist/wasm-fast', model: 'mnist-cnn', backend: 'wasm', fastKernels: true, samples: opts.samples },
  );
  if (opts.cpu && backends.includes('cpu')) sides.push({ name: 'mnist/cpu', model: 'mnist-cnn', backend: 'cpu', fastKernels: false, samples: opts.cpuSamples });
  if (opts.cifar) {
    if (hasNative) sides.push({ name: 'cifar10/native', model: 'cifar10-cnn', backend: 'tensorflow', fastKernels: false, samples: opts.cifarSamples * 2 });
    sides.push({ name: 'cifar10/wasm', model: 'cifar10-cnn', backend: 'wasm', fastKernels: false, samples: opts.cifarSamples });
    sides.push({ name: 'cifar10/wasm-fast', model: 'cifar10-cnn', backend: 'wasm', fastKernels: true, samples: opts.cifarSamples });
  }
  if (opts.tick) {
    if (hasNative) sides.push({ name: 'tick/native', model: 'tick-rnn', backend: 'tensorflow', fastKernels: false, samples: opts.tickSamples });
    sides.push({ name: 'tick/wasm', model: 'tick-rnn', backend: 'wasm', fastKernels: true, samples: opts.tickSamples });
    if (opts.cpu) sides.push({ name: 'tick/cpu', model: 'tick-rnn', backend: 'cpu', fastKernels: false, samples: Math.max(BATCH, opts.tickSamples / 8) });
  }
  const torchProbe = opts.torch ? probeTorch(opts.torchPython) : { missing: 'skipped (--no-torch)' };
  const torchSkipped = 'missing' in torchProbe ? torchProbe.missing : undefined;
  if (torchSkipped) console.log(`torch sides skipped: ${torchSkipped}`);
  else {
    sides.push({ name: 'mnist/torch', model: 'mnist-cnn', backend: 'torch', fastKernels: false, samples: opts.samples, threads: os.availableParallelism() });
    if (opts.torchOneThread) sides.push({ name: 'mnist/torch-1thread', model: 'mnist-cnn', backend: 'torch', fastKernels: false, samples: opts.samples, threads: 1 });
  }

  const machine = machineInfo();
  const versions = {
    node: process.version,
    '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
    '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
    '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu'),
    '@tensorflow/tfjs-node': hasNative ? packageVersion('@tensorflow/tfjs-node') : 'not built',
    tensorflow: native.tensorflowVersion ?? 'none',
    torch: 'version' in torchProbe ? torchProbe.version : 'not installed',
  };
  const nativeThreads = hasNative ? native.threads : undefined;
  const wasmFlags = {
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.platform}`);
  console.log(`versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}; wasm SIMD ${wasmFlags.simd}, threads ${wasmFlags.multithread}`);
  console.log(`repeats ${opts.repeats}, batch ${BATCH}; samples per repeat: mnist ${opts.samples}, cpu ${opts.cpuSamples}, cifar ${opts.cifarSamples}`);
  console.log(`/proc/loadavg before: ${loadavgBefore}`);

  // Build every side's model and data on its backend, with one warm-up batch.
  const state = new Map<string, { model: tfType.LayersModel; x: tfType.Tensor; y: tfType.Tensor; result: SideResult }>();
  const torch = new Map<string, { runner: TorchRunner; setup: TorchSetup; result: SideResult }>();
  for (const side of sides) {
    if (side.backend === 'torch') {
      const { runner, setup } = await TorchRunner.start(opts.torchPython, root, side.samples, side.threads ?? 1);
      console.log(`${side.name}: torch ${setup.torch} on ${setup.device}, ${setup.threads} threads, ${setup.params} params; warm-up batch ${setup.warmupBatchSeconds} s`);
      const result = { ...side, params: setup.params, warmupBatchSeconds: setup.warmupBatchSeconds, repeats: [], medianSamplesPerSec: 0, minSamplesPerSec: 0, maxSamplesPerSec: 0 };
      torch.set(side.name, { runner, setup, result });
      continue;
    }
    await tf.setBackend(side.backend);
    if (side.backend === 'wasm') useFast(side.fastKernels);
    const { model, shape } = buildSide(tf, side);
    const x = tf.randomUniform([side.samples, ...shape], 0, 1, 'float32', 7);
    const y =
      side.model === 'tick-rnn'
        ? tf.randomNormal([side.samples, 1], 0, 1, 'float32', 8)
        : tf.tensor1d(Array.from({ length: side.samples }, (_, i) => i % 10));
    const t0 = performance.now();
    const warmX = tf.slice(x, 0, Math.min(BATCH, side.samples));
    const warmY = tf.slice(y, 0, Math.min(BATCH, side.samples));
    await model.trainOnBatch(warmX, warmY);
    const warmupBatchSeconds = (performance.now() - t0) / 1000;
    tf.dispose([warmX, warmY]);
    console.log(`${side.name}: warm-up batch ${round(warmupBatchSeconds, 3)} s`);
    state.set(side.name, {
      model,
      x,
      y,
      result: { ...side, params: model.countParams(), warmupBatchSeconds: round(warmupBatchSeconds, 3), repeats: [], medianSamplesPerSec: 0, minSamplesPerSec: 0, maxSamplesPerSec: 0 },
    });
  }

  /** One timed epoch of one side (tfjs: model.fit; torch: a request to its Python process). */
  const runRepeat = async (side: Side): Promise<Repeat> => {
    const t = torch.get(side.name);
    if (t) return t.runner.epoch();
    const s = state.get(side.name)!;
    await tf.setBackend(side.backend);
    if (side.backend === 'wasm') useFast(side.fastKernels);
    const tensorsBefore = tf.memory().numTensors;
    const t0 = performance.now();
    await s.model.fit(s.x, s.y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
    const seconds = (performance.now() - t0) / 1000;
    return {
      samples: side.samples,
      seconds: round(seconds, 3),
      samplesPerSec: round(side.samples / seconds, 1),
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      wasmHeapMiBAfter: side.backend === 'wasm' ? wasmHeapMiB(tf) : undefined,
      rssMiBAfter: round(process.memoryUsage.rss() / 2 ** 20, 0),
    };
  };

  // Other processes' CPU use is measured around every repeat (our own: this process and the torch children);
  // a repeat they disturbed is run again (see bench/background-load.ts for why this matters most to torch).
  const ownPids = [...torch.values()].map((t) => t.runner.pid);
  const discardedRepeats: Array<Repeat & { side: string; round: number }> = [];
  for (let r = 0; r < opts.repeats; r++) {
    const order = sides.map((_, i) => sides[(i + r) % sides.length]);
    for (const side of order) {
      const result = (torch.get(side.name) ?? state.get(side.name))!.result;
      for (let attempt = 0; ; attempt++) {
        const foreignCpuBefore = opts.idleWaitS > 0 ? await waitForQuiet(ownPids, opts.idleWaitS) : undefined;
        const meter = foreignCpuMeter(ownPids);
        meter.start();
        const rep: Repeat = { ...(await runRepeat(side)), foreignCpuBefore, foreignCpuDuring: meter.stop() };
        const tensors = rep.tensorsBefore === undefined ? '' : `; tensors ${rep.tensorsBefore} → ${rep.tensorsAfter}`;
        const others = `other processes ${Math.round(rep.foreignCpuDuring! * 100)}%`;
        if (rep.foreignCpuDuring! > DISTURBED_SHARE && attempt < opts.retries) {
          discardedRepeats.push({ side: side.name, round: r + 1, ...rep });
          console.log(`  repeat ${r + 1} ${side.name}: ${rep.samplesPerSec} samples/s, disturbed (${others}): again`);
          continue;
        }
        result.repeats.push(rep);
        console.log(`  repeat ${r + 1} ${side.name}: ${rep.samplesPerSec} samples/s (${rep.seconds} s${tensors}; ${others})`);
        break;
      }
    }
  }

  const loadavgAfter = procLoadavg();
  console.log(`/proc/loadavg after: ${loadavgAfter}`);
  const summarize = (result: SideResult) => {
    const rates = result.repeats.map((r) => r.samplesPerSec);
    result.medianSamplesPerSec = round(median(rates), 1);
    result.minSamplesPerSec = Math.min(...rates);
    result.maxSamplesPerSec = Math.max(...rates);
    return result;
  };
  const results: SideResult[] = sides.map((side) => {
    const t = torch.get(side.name);
    if (t) {
      t.runner.close();
      return summarize(t.result);
    }
    const s = state.get(side.name)!;
    s.model.dispose();
    tf.dispose([s.x, s.y]);
    return summarize(s.result);
  });

  const leaks = results.filter((r) => r.repeats.some((p) => p.tensorsAfter !== p.tensorsBefore)).map((r) => r.name);
  const speedup = (a: string, b: string) => {
    const ra = results.find((r) => r.name === a);
    const rb = results.find((r) => r.name === b);
    return ra && rb ? round(rb.medianSamplesPerSec / ra.medianSamplesPerSec, 2) : undefined;
  };
  // Every MNIST tfjs side against each torch side: median samples/s, tfjs / torch (≥ 0.5 is the goal).
  const torchResults = results.filter((r) => r.backend === 'torch');
  const mnistTfjs = results.filter((r) => r.model === 'mnist-cnn' && r.backend !== 'torch');
  const tfjsOverTorch = Object.fromEntries(
    torchResults.map((t) => [t.name, Object.fromEntries(mnistTfjs.map((s) => [s.name, round(s.medianSamplesPerSec / t.medianSamplesPerSec, 3)]))]),
  ) as Record<string, Record<string, number>>;
  const mnistParams = Object.fromEntries(results.filter((r) => r.model === 'mnist-cnn').map((r) => [r.name, r.params]));
  const torchSetup = torch.values().next().value?.setup;
  // The goal (≥ 0.5) is judged against the faster torch side: PyTorch at its best here.
  const fastestTorch = torchResults.length ? torchResults.reduce((a, b) => (b.medianSamplesPerSec > a.medianSamplesPerSec ? b : a)) : undefined;
  const bestTfjs = mnistTfjs.reduce((a, b) => (b.medianSamplesPerSec > a.medianSamplesPerSec ? b : a));
  const goal = fastestTorch && {
    target: GOAL_RATIO,
    against: fastestTorch.name,
    bestTfjsSide: bestTfjs.name,
    ratio: tfjsOverTorch[fastestTorch.name][bestTfjs.name],
    met: tfjsOverTorch[fastestTorch.name][bestTfjs.name] >= GOAL_RATIO,
  };
  const report = {
    benchmark: 'cnn-throughput',
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => round(l)), procLoadavgBefore: loadavgBefore, procLoadavgAfter: loadavgAfter },
    versions,
    wasmFlags,
    parameters: { batchSize: BATCH, repeats: opts.repeats, idleWaitS: opts.idleWaitS, retries: opts.retries, disturbedShare: DISTURBED_SHARE, optimizer: 'adam(1e-3)', data: 'uniform random images, labels i mod 10', warmup: 'one batch (trainOnBatch)', timed: 'model.fit, 1 epoch, shuffle off' },
    torch: torchSetup
      ? {
          setup: torchSetup,
          script: 'bench/cnn/torch_reference.py',
          timed: 'one epoch of zero_grad/forward/cross_entropy/backward/Adam step per batch, shuffle off',
          note: 'the PyPI Linux wheel is a CUDA build; it runs on the CPU here (no GPU)',
        }
      : { skipped: torchSkipped },
    sides: results,
    speedups: {
      mnistNativeOverWasmFast: speedup('mnist/wasm-fast', 'mnist/native'),
    cifarNativeOverWasmFast: speedup('cifar10/wasm-fast', 'cifar10/native'),
    tickNativeOverWasm: speedup('tick/wasm', 'tick/native'),
    mnistWasmOverCpu: speedup('mnist/cpu', 'mnist/wasm'),
      mnistWasmFastOverWasm: speedup('mnist/wasm', 'mnist/wasm-fast'),
      cifarWasmFastOverWasm: speedup('cifar10/wasm', 'cifar10/wasm-fast'),
    },
    tfjsOverTorch,
    goal,
    nativeThreads,
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 0),
    nativeSetup: nativeSetupCost(),
    cifar10EpochEstimate: cifarEpochEstimate(results),
    mnistParamCounts: mnistParams,
    mnistParamCountsMatch: new Set(Object.values(mnistParams)).size === 1,
    tensorLeaks: leaks,
    discardedRepeats,
  };

  console.log(`\n${markdown(report)}`);
  writeResults('cnn-throughput', report, markdown(report), opts.outDir);
}

/** Minutes one pass over CIFAR-10's 50,000 training images would take at each CIFAR side's median speed. */
function cifarEpochEstimate(results: SideResult[]): Record<string, number> {
  return Object.fromEntries(
    results.filter((r) => r.model === 'cifar10-cnn').map((r) => [r.name, round(CIFAR10_TRAIN_IMAGES / r.medianSamplesPerSec / 60, 1)]),
  );
}

function markdown(report: {
  date: string;
  machine: ReturnType<typeof machineInfo> & { procLoadavgBefore: string; procLoadavgAfter: string };
  versions: Record<string, string>;
  wasmFlags: { simd: boolean; multithread: boolean };
  torch: { setup?: TorchSetup; skipped?: string };
  sides: SideResult[];
  speedups: Record<string, number | undefined>;
  tfjsOverTorch: Record<string, Record<string, number>>;
  goal?: { target: number; against: string; bestTfjsSide: string; ratio: number; met: boolean };
  mnistParamCounts: Record<string, number>;
  mnistParamCountsMatch: boolean;
  tensorLeaks: string[];
  discardedRepeats: unknown[];
  nativeThreads?: number;
  peakRssMiB: number;
  nativeSetup?: Record<string, unknown>;
  cifar10EpochEstimate: Record<string, number>;
}): string {
  const m = report.machine;
  const torchSides = Object.keys(report.tfjsOverTorch);
  // One ratio column per torch side: the MNIST tfjs sides' median samples/s over that torch side's.
  const ratioCells = (s: SideResult) => torchSides.map((t) => (report.tfjsOverTorch[t][s.name] === undefined ? '' : `${report.tfjsOverTorch[t][s.name]}`));
  const torchLine = report.torch.setup
    ? `PyTorch ${report.torch.setup.torch} (PyPI wheel, a CUDA build, run on the CPU: no GPU here), Python ${report.torch.setup.python}, ` +
      `bench/cnn/torch_reference.py: the same MNIST CNN, Adam 1e-3, cross-entropy, batch ${report.torch.setup.batchSize}, one epoch per repeat after one warm-up batch; ` +
      `\`mnist/torch\` uses ${report.torch.setup.threads} threads (the cores)` +
      (report.sides.some((s) => s.name === 'mnist/torch-1thread') ? `, \`mnist/torch-1thread\` one, as tfjs's wasm and cpu backends do here.` : '.')
    : `PyTorch sides skipped: ${report.torch.skipped}.`;
  const params = Object.entries(report.mnistParamCounts).map(([k, v]) => `${k} ${v}`).join(', ');
  const lines = [
    '# CNN training throughput',
    '',
    `${report.date}; ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.platform}; Node ${report.versions.node}, ` +
      `tfjs ${report.versions['@tensorflow/tfjs']}, tfjs-node ${report.versions['@tensorflow/tfjs-node']} on TensorFlow ${report.versions.tensorflow}` +
      `${report.nativeThreads ? ` (${report.nativeThreads} intra-op threads)` : ''}, tfjs-backend-wasm ${report.versions['@tensorflow/tfjs-backend-wasm']} ` +
      `(SIMD ${report.wasmFlags.simd ? 'on' : 'off'}, threads ${report.wasmFlags.multithread ? 'on' : 'off'}); torch ${report.versions.torch}.`,
    `/proc/loadavg before: \`${m.procLoadavgBefore}\`, after: \`${m.procLoadavgAfter}\`.`,
    '',
    `Batch ${BATCH}, random data, \`model.fit\` 1 epoch per repeat after one warm-up batch; median of the repeats.`,
    '`native`: @tensorflow/tfjs-node built against the TensorFlow C library (scripts/setup-tensorflow.sh). `tick/*`: the tick LSTM (16 units, 30 × 11 inputs, regression).',
    '`wasm`: registerMissingWasmKernels(tf); `wasm-fast`: the same with { replaceSlowKernels: true }.',
    torchLine,
    '',
    `| side | samples/repeat | repeats | median samples/s | min–max | warm-up batch s |${torchSides.map((t) => ` tfjs / ${t} |`).join('')}`,
    `| --- | ---: | ---: | ---: | --- | ---: |${torchSides.map(() => ' ---: |').join('')}`,
    ...report.sides.map(
      (s) =>
        `| ${s.name} | ${s.samples} | ${s.repeats.length} | ${s.medianSamplesPerSec} | ${s.minSamplesPerSec}–${s.maxSamplesPerSec} | ${s.warmupBatchSeconds} |` +
        ratioCells(s).map((c) => ` ${c} |`).join(''),
    ),
    '',
    `Speed-ups (median ratios): ${Object.entries(report.speedups)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ')}.`,
  ];
  if (torchSides.length) {
    const g = report.goal!;
    lines.push(
      `tfjs / torch: the tfjs side's median samples/s divided by the torch side's (1 = as fast as PyTorch). Goal: ≥ ${g.target} ` +
        `against the faster torch side, here \`${g.against}\`: best MNIST tfjs side \`${g.bestTfjsSide}\` at ${g.ratio} — goal ${g.met ? 'met' : 'NOT met'}.`,
      `MNIST parameter counts: ${params} (${report.mnistParamCountsMatch ? 'equal' : 'DIFFERENT'}).`,
    );
  }
  const foreign = report.sides.flatMap((s) => s.repeats.map((r) => ({ side: s.name, share: r.foreignCpuDuring ?? 0 })));
  const worst = foreign.reduce((a, b) => (b.share > a.share ? b : a), { side: '', share: 0 });
  lines.push(
    `Other processes' CPU use during the kept repeats: at most ${Math.round(worst.share * 100)}% of the machine` +
      `${worst.side ? ` (${worst.side})` : ''}; ${report.discardedRepeats.length} disturbed repeat(s) run again.`,
  );
  const cifar = Object.entries(report.cifar10EpochEstimate).map(([k, v]) => `${k} ${v} min`).join(', ');
  if (cifar) lines.push(`One epoch of CIFAR-10's 50,000 training images at these speeds: ${cifar}.`);
  lines.push(`Peak resident memory of the benchmark process (all sides, one process): ${report.peakRssMiB} MiB.`);
  if (report.nativeSetup) lines.push(`Native TensorFlow setup (scripts/setup-tensorflow.sh, last run): ${JSON.stringify(report.nativeSetup)}.`);
  lines.push(`Tensor count across repeats: ${report.tensorLeaks.length ? `GREW for ${report.tensorLeaks.join(', ')}` : 'flat on every side'}.`, '');
  return lines.join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
