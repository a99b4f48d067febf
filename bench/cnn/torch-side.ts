/**
 * The PyTorch reference side of the CNN throughput benchmark: drives bench/cnn/torch_reference.py --serve, a
 * long-lived Python process that builds the MNIST CNN once and trains one timed epoch per "epoch" line, so that
 * throughput.ts can interleave its repeats with the tfjs ones. PyTorch lives in .venv-bench (bench/setup-torch.sh).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';

/** What torch_reference.py reports once its model is built and warmed up. */
export interface TorchSetup {
  python: string;
  torch: string;
  cudaBuild: string | null;
  device: string;
  threads: number;
  interopThreads: number;
  cpuCount: number;
  mkldnn: boolean;
  params: number;
  batchSize: number;
  samples: number;
  warmupBatchSeconds: number;
}

export interface TorchEpoch {
  samples: number;
  seconds: number;
  samplesPerSec: number;
}

const SCRIPT = 'bench/cnn/torch_reference.py';

/** The torch version importable by `python`, or why there is none (the benchmark then skips the torch sides). */
export function probeTorch(python: string): { version: string } | { missing: string } {
  if (!fs.existsSync(python)) return { missing: `${python} not found (run: bash bench/setup-torch.sh)` };
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return { missing: `${python} cannot import torch: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return { version: r.stdout.trim() };
}

export class TorchRunner {
  private readonly lines: string[] = [];
  private waiter?: (line: string | undefined) => void;
  private closed = false;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w(line);
      else this.lines.push(line);
    });
    proc.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    proc.on('close', () => {
      this.closed = true;
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
  }

  /** Starts the Python process; resolves once its model is built and has trained the warm-up batch. */
  static async start(python: string, root: string, samples: number, threads: number): Promise<{ runner: TorchRunner; setup: TorchSetup }> {
    const args = [path.join(root, SCRIPT), '--serve', '--samples', String(samples), '--threads', String(threads)];
    const proc = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', (err) => reject(new Error(`cannot run ${python}: ${err.message}`)));
    });
    const runner = new TorchRunner(proc);
    return { runner, setup: (await runner.next()) as unknown as TorchSetup };
  }

  async epoch(): Promise<TorchEpoch> {
    this.proc.stdin.write('epoch\n');
    return (await this.next()) as unknown as TorchEpoch;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Ends the Python process (end of input makes it exit). */
  close(): void {
    if (!this.closed) this.proc.stdin.end();
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const take = (line: string | undefined) => {
        if (line === undefined) return reject(new Error(`torch_reference.py exited (code ${this.proc.exitCode})`));
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return reject(new Error(`torch_reference.py printed a non-JSON line: ${line}`));
        }
        if (msg.error) reject(new Error(`torch_reference.py: ${String(msg.error)}`));
        else resolve(msg);
      };
      const queued = this.lines.shift();
      if (queued !== undefined) take(queued);
      else if (this.closed) take(undefined);
      else this.waiter = take;
    });
  }
}
