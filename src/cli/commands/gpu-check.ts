/**
 * `durable-ml gpu-check`: what a GPU worker's TensorFlow sees and how fast it trains. Prints the tfjs backend that
 * loads (and why better ones were skipped), the devices TensorFlow created (from its own log, in a child process),
 * the NVIDIA driver's view when `nvidia-smi` is on the PATH, and the MNIST and CIFAR-10 CNNs' training throughput.
 * Exit code 1 when --require-gpu is given and no GPU is in use.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Command, Option } from 'commander';
import { describeBackend, loadTfBackend } from '../../models/backend';
import { buildCifar10Cnn, buildMnistCnn, CIFAR10_INPUT_SHAPE, MNIST_INPUT_SHAPE } from '../../models/cnn';
import { measureTrainingThroughput } from '../../models/throughput';
import { CliError, EXIT_FAILURE } from '../errors';
import { printJson, printTable } from '../format';

/** TensorFlow's log lines that say which devices it made, or why it could not use CUDA. */
const DEVICE_LINE = /Created device|device: \d+, name:|cuda|GPU|could not|cannot dlopen/i;

interface Probe {
  backend?: string;
  provider?: string;
  gpu?: boolean;
  tensorflowVersion?: string;
  threads?: number;
  skipped?: string[];
  error?: string;
  deviceLog: string[];
}

function probeDevices(): Probe {
  const script = path.join(__dirname, '..', '..', 'models', 'device-probe.js');
  // The probe inherits the whole environment (TensorFlow's and CUDA's variables), as a worker would.
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000, env: process.env });
  const last = run.stdout.trim().split('\n').pop() ?? '{}';
  let parsed: Omit<Probe, 'deviceLog'>;
  try {
    parsed = JSON.parse(last);
  } catch {
    parsed = { error: `device probe printed no result (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
  const deviceLog = run.stderr.split('\n').filter((l) => DEVICE_LINE.test(l)).map((l) => l.trim());
  return { ...parsed, deviceLog };
}

function nvidiaSmi(): string[] {
  const run = spawnSync('nvidia-smi', ['--query-gpu=index,name,memory.total,driver_version', '--format=csv,noheader'], { encoding: 'utf8', timeout: 30_000 });
  return run.status === 0 ? run.stdout.trim().split('\n') : [];
}

export function registerGpuCheck(program: Command): void {
  program
    .command('gpu-check')
    .description('Show the tfjs backend and the devices TensorFlow sees, and measure MNIST / CIFAR-10 CNN training throughput')
    .option('--mnist-samples <n>', 'MNIST samples per timed epoch', (v) => Number(v), 2048)
    .option('--cifar-samples <n>', 'CIFAR-10 samples per timed epoch', (v) => Number(v), 1024)
    .option('--repeats <n>', 'timed epochs per model (median reported)', (v) => Number(v), 3)
    .option('--batch-size <n>', 'batch size', (v) => Number(v), 64)
    .option('--require-gpu', 'exit 1 unless training runs on a GPU')
    .addOption(new Option('--json', 'print one JSON document'))
    .action(async (opts: { mnistSamples: number; cifarSamples: number; repeats: number; batchSize: number; requireGpu?: boolean; json?: boolean }) => {
      for (const [name, v] of Object.entries({ mnistSamples: opts.mnistSamples, cifarSamples: opts.cifarSamples, repeats: opts.repeats, batchSize: opts.batchSize })) {
        if (!Number.isInteger(v) || v < 1) throw new CliError(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`, 2);
      }
      const probe = probeDevices();
      const drivers = nvidiaSmi();
      const loaded = await loadTfBackend();
      const { tf } = loaded;
      const run = async (build: typeof buildMnistCnn, shape: readonly number[], samples: number) => {
        const model = build(tf, { learningRate: 1e-3 });
        try {
          const r = await measureTrainingThroughput(tf, model, shape, { samples, batchSize: opts.batchSize, repeats: opts.repeats, classes: 10 });
          const sorted = [...r.samplesPerSec].sort((a, b) => a - b);
          return { ...r, medianSamplesPerSec: Math.round(sorted[sorted.length >> 1]) };
        } finally {
          model.dispose();
        }
      };
      const mnist = await run(buildMnistCnn, MNIST_INPUT_SHAPE, opts.mnistSamples);
      const cifar10 = await run(buildCifar10Cnn, CIFAR10_INPUT_SHAPE, opts.cifarSamples);
      const report = { backend: describeBackend(loaded), gpu: loaded.gpu, probe, nvidiaSmi: drivers, throughput: { mnist, cifar10 } };
      if (opts.json) printJson(report);
      else {
        console.log(`backend: ${report.backend}`);
        console.log(`GPU in use: ${loaded.gpu ? 'yes' : 'no'}`);
        console.log(`nvidia-smi: ${drivers.length ? drivers.join('; ') : 'not available'}`);
        console.log('TensorFlow device log:');
        for (const l of probe.deviceLog.length ? probe.deviceLog : ['(no device lines)']) console.log(`  ${l}`);
        if (probe.error) console.log(`device probe: ${probe.error}`);
        printTable(
          ['model', 'samples/epoch', 'batch', 'warm-up batch s', 'median samples/s', 'CIFAR-10 epoch (50k) min'],
          [
            ['MNIST CNN', String(mnist.samples), String(mnist.batchSize), mnist.warmupBatchSeconds.toFixed(2), String(mnist.medianSamplesPerSec), ''],
            ['CIFAR-10 CNN', String(cifar10.samples), String(cifar10.batchSize), cifar10.warmupBatchSeconds.toFixed(2), String(cifar10.medianSamplesPerSec), (50_000 / cifar10.medianSamplesPerSec / 60).toFixed(1)],
          ],
        );
      }
      if (opts.requireGpu && !loaded.gpu) process.exitCode = EXIT_FAILURE;
    });
}
