/**
 * Training throughput of the image CNNs (src/models/cnn.ts) on the tfjs backends available here.
 *
 *   npx tsc -p tsconfig.json && node build/bench/cnn/throughput.js [--repeats N] [--samples N] [--cifar-samples N]
 *     [--cpu-samples N] [--no-cpu] [--no-cifar] [--out DIR]
 *
 * Sides (each a model built once, trained by `model.fit` on random data, batch 64, one epoch per repeat, after one
 * warm-up batch; repeats interleaved round-robin with a rotating order so background load hits all sides alike):
 *   mnist/wasm        MNIST CNN, wasm backend + registerMissingWasmKernels(tf) (Conv2DBackpropFilter composite)
 *   mnist/wasm-fast   the same + { replaceSlowKernels: true } (composite Conv2DBackpropInput and Tile)
 *   mnist/cpu         MNIST CNN, pure-JS cpu backend (capped at --cpu-samples: it is very slow)
 *   cifar10/wasm, cifar10/wasm-fast   the CIFAR-10 CNN on wasm, both kernel sets
 * The wasm ↔ wasm-fast switch re-registers the native kernels between repeats (same process, same models).
 *
 * Reported per side: samples/s of every repeat, median, and the tensor count / wasm heap before and after each
 * repeat (a leak would show as growth). Writes <out>/cnn-throughput.json and .md (default out: bench/results).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as tfType from '@tensorflow/tfjs';
import { buildCifar10Cnn, buildMnistCnn, CIFAR10_INPUT_SHAPE, MNIST_INPUT_SHAPE } from '../../src/models/cnn';
import { registerMissingWasmKernels, WASM_REPLACEABLE_KERNELS } from '../../src/models/wasm-kernels';
import { machineInfo } from '../machine';
import { packageVersion } from '../../src/models/backend';

type Tf = typeof tfType;
const BATCH = 64;

interface Options {
  repeats: number;
  samples: number;
  cifarSamples: number;
  cpuSamples: number;
  cpu: boolean;
  cifar: boolean;
  outDir: string;
}

interface Side {
  name: string;
  model: 'mnist-cnn' | 'cifar10-cnn';
  backend: 'wasm' | 'cpu';
  fastKernels: boolean;
  samples: number;
}

interface Repeat {
  samples: number;
  seconds: number;
  samplesPerSec: number;
  tensorsBefore: number;
  tensorsAfter: number;
  wasmHeapMiBAfter?: number;
}

interface SideResult extends Side {
  warmupBatchSeconds: number;
  repeats: Repeat[];
  medianSamplesPerSec: number;
  minSamplesPerSec: number;
  maxSamplesPerSec: number;
}

const root = path.resolve(__dirname, '..', '..', '..');

function parseArgs(argv: string[]): Options {
  const o: Options = { repeats: 3, samples: 512, cifarSamples: 256, cpuSamples: 64, cpu: true, cifar: true, outDir: path.join(root, 'bench', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--repeats') o.repeats = num();
    else if (a === '--samples') o.samples = num();
    else if (a === '--cifar-samples') o.cifarSamples = num();
    else if (a === '--cpu-samples') o.cpuSamples = num();
    else if (a === '--no-cpu') o.cpu = false;
    else if (a === '--no-cifar') o.cifar = false;
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

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tf = require('@tensorflow/tfjs') as Tf;
  require('@tensorflow/tfjs-backend-wasm');
  const backends: string[] = [];
  for (const b of ['wasm', 'cpu'] as const) {
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

  const sides: Side[] = [
    { name: 'mnist/wasm', model: 'mnist-cnn', backend: 'wasm', fastKernels: false, samples: opts.samples },
    { name: 'mnist/wasm-fast', model: 'mnist-cnn', backend: 'wasm', fastKernels: true, samples: opts.samples },
  ];
  if (opts.cpu && backends.includes('cpu')) sides.push({ name: 'mnist/cpu', model: 'mnist-cnn', backend: 'cpu', fastKernels: false, samples: opts.cpuSamples });
  if (opts.cifar) {
    sides.push({ name: 'cifar10/wasm', model: 'cifar10-cnn', backend: 'wasm', fastKernels: false, samples: opts.cifarSamples });
    sides.push({ name: 'cifar10/wasm-fast', model: 'cifar10-cnn', backend: 'wasm', fastKernels: true, samples: opts.cifarSamples });
  }

  const machine = machineInfo();
  const versions = {
    node: process.version,
    '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
    '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
    '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu'),
  };
  const wasmFlags = {
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.platform}`);
  console.log(`versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}; wasm SIMD ${wasmFlags.simd}, threads ${wasmFlags.multithread}`);
  console.log(`repeats ${opts.repeats}, batch ${BATCH}; samples per repeat: mnist ${opts.samples}, cpu ${opts.cpuSamples}, cifar ${opts.cifarSamples}`);

  // Build every side's model and data on its backend, with one warm-up batch.
  const state = new Map<string, { model: tfType.LayersModel; x: tfType.Tensor; y: tfType.Tensor; result: SideResult }>();
  for (const side of sides) {
    await tf.setBackend(side.backend);
    if (side.backend === 'wasm') useFast(side.fastKernels);
    const build = side.model === 'mnist-cnn' ? buildMnistCnn : buildCifar10Cnn;
    const shape = side.model === 'mnist-cnn' ? MNIST_INPUT_SHAPE : CIFAR10_INPUT_SHAPE;
    const model = build(tf, { learningRate: 1e-3 });
    const x = tf.randomUniform([side.samples, ...shape], 0, 1, 'float32', 7);
    const y = tf.tensor1d(Array.from({ length: side.samples }, (_, i) => i % 10));
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
      result: { ...side, warmupBatchSeconds: round(warmupBatchSeconds, 3), repeats: [], medianSamplesPerSec: 0, minSamplesPerSec: 0, maxSamplesPerSec: 0 },
    });
  }

  for (let r = 0; r < opts.repeats; r++) {
    const order = sides.map((_, i) => sides[(i + r) % sides.length]);
    for (const side of order) {
      const s = state.get(side.name)!;
      await tf.setBackend(side.backend);
      if (side.backend === 'wasm') useFast(side.fastKernels);
      const tensorsBefore = tf.memory().numTensors;
      const t0 = performance.now();
      await s.model.fit(s.x, s.y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
      const seconds = (performance.now() - t0) / 1000;
      const rep: Repeat = {
        samples: side.samples,
        seconds: round(seconds, 3),
        samplesPerSec: round(side.samples / seconds, 1),
        tensorsBefore,
        tensorsAfter: tf.memory().numTensors,
        wasmHeapMiBAfter: side.backend === 'wasm' ? wasmHeapMiB(tf) : undefined,
      };
      s.result.repeats.push(rep);
      console.log(`  repeat ${r + 1} ${side.name}: ${rep.samplesPerSec} samples/s (${rep.seconds} s; tensors ${rep.tensorsBefore} → ${rep.tensorsAfter})`);
    }
  }

  const results: SideResult[] = sides.map((side) => {
    const s = state.get(side.name)!;
    const rates = s.result.repeats.map((r) => r.samplesPerSec);
    s.result.medianSamplesPerSec = round(median(rates), 1);
    s.result.minSamplesPerSec = Math.min(...rates);
    s.result.maxSamplesPerSec = Math.max(...rates);
    s.model.dispose();
    tf.dispose([s.x, s.y]);
    return s.result;
  });

  const leaks = results.filter((r) => r.repeats.some((p) => p.tensorsAfter !== p.tensorsBefore)).map((r) => r.name);
  const speedup = (a: string, b: string) => {
    const ra = results.find((r) => r.name === a);
    const rb = results.find((r) => r.name === b);
    return ra && rb ? round(rb.medianSamplesPerSec / ra.medianSamplesPerSec, 2) : undefined;
  };
  const report = {
    benchmark: 'cnn-throughput',
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => round(l)) },
    versions,
    wasmFlags,
    parameters: { batchSize: BATCH, repeats: opts.repeats, optimizer: 'adam(1e-3)', data: 'uniform random images, labels i mod 10', warmup: 'one batch (trainOnBatch)', timed: 'model.fit, 1 epoch, shuffle off' },
    sides: results,
    speedups: {
      mnistWasmOverCpu: speedup('mnist/cpu', 'mnist/wasm'),
      mnistWasmFastOverWasm: speedup('mnist/wasm', 'mnist/wasm-fast'),
      cifarWasmFastOverWasm: speedup('cifar10/wasm', 'cifar10/wasm-fast'),
    },
    tensorLeaks: leaks,
  };

  fs.mkdirSync(opts.outDir, { recursive: true });
  const jsonFile = path.join(opts.outDir, 'cnn-throughput.json');
  const mdFile = path.join(opts.outDir, 'cnn-throughput.md');
  fs.writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(mdFile, markdown(report));
  console.log(`\n${markdown(report)}`);
  console.log(`results: ${jsonFile}, ${mdFile}`);
}

function markdown(report: {
  date: string;
  machine: ReturnType<typeof machineInfo>;
  versions: Record<string, string>;
  wasmFlags: { simd: boolean; multithread: boolean };
  sides: SideResult[];
  speedups: Record<string, number | undefined>;
  tensorLeaks: string[];
}): string {
  const m = report.machine;
  const lines = [
    '# CNN training throughput',
    '',
    `${report.date}; ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.platform}; Node ${report.versions.node}, ` +
      `tfjs ${report.versions['@tensorflow/tfjs']}, tfjs-backend-wasm ${report.versions['@tensorflow/tfjs-backend-wasm']} ` +
      `(SIMD ${report.wasmFlags.simd ? 'on' : 'off'}, threads ${report.wasmFlags.multithread ? 'on' : 'off'}).`,
    '',
    `Batch ${BATCH}, random data, \`model.fit\` 1 epoch per repeat after one warm-up batch; median of the repeats.`,
    '`wasm`: registerMissingWasmKernels(tf); `wasm-fast`: the same with { replaceSlowKernels: true }.',
    '',
    '| side | samples/repeat | repeats | median samples/s | min–max | warm-up batch s |',
    '| --- | ---: | ---: | ---: | --- | ---: |',
    ...report.sides.map(
      (s) => `| ${s.name} | ${s.samples} | ${s.repeats.length} | ${s.medianSamplesPerSec} | ${s.minSamplesPerSec}–${s.maxSamplesPerSec} | ${s.warmupBatchSeconds} |`,
    ),
    '',
    `Speed-ups (median ratios): ${Object.entries(report.speedups)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ')}.`,
    `Tensor count across repeats: ${report.tensorLeaks.length ? `GREW for ${report.tensorLeaks.join(', ')}` : 'flat on every side'}.`,
    '',
  ];
  return lines.join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
