/** Real worker processes for fault tests: started from the compiled entry points, killed or stopped by signal. */
import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { AppConfig, PROJECT_ROOT } from '../../src/config';

export function workerEnv(config: AppConfig): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: config.temporal.address,
    MLFLOW_TRACKING_URI: config.mlflow.trackingUri,
    DML_CPU_QUEUE: config.taskQueues.cpu,
    DML_GPU_QUEUE: config.taskQueues.gpu,
    DML_DATA_ROOT: config.dataRoot,
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `projectRoot`: another built checkout of the project (a benchmark comparing against an older commit). */
export function startWorkerProcess(role: 'cpu' | 'gpu', env: Record<string, string>, projectRoot = PROJECT_ROOT): WorkerProcess {
  const child = spawn(process.execPath, [path.join(projectRoot, 'build', 'src', 'workers', `${role}.js`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
