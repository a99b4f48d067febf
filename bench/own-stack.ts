/**
 * A benchmark's own Temporal dev server + MLflow server (scripts/stack.sh), on its own ports and state folder, so
 * it neither disturbs nor counts the runs of the developer's stack (7233/5000) or the test stack (17233/15000).
 * The state folder is wiped first: run counts, model versions and prepared data then belong to this benchmark alone.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AppConfig, loadConfig, PROJECT_ROOT } from '../src/config';
import { stackService } from '../test/helpers/stack-control';
import { ensureWorkflowBundle } from '../test/helpers/stack';
import { startWorkerProcess, WorkerProcess, workerEnv } from '../test/helpers/worker-process';

/** Ports of the stacks other people use on this machine: a benchmark must never start (or stop) servers there. */
const FOREIGN_PORTS = [7233, 8233, 5000, 17233, 18233, 15000];

export interface OwnStackOptions {
  /** Under the project root, e.g. `.local/bench-backfill`: server databases, logs, pids and the data root. */
  stateDir: string;
  temporalPort: number;
  mlflowPort: number;
  /** Start the servers with another checkout's scripts/stack.sh (a benchmark's `before` variant). */
  projectRoot?: string;
}

export interface OwnStack {
  config: AppConfig;
  stateDir: string;
  /** Pid of a server process started by scripts/stack.sh (also its session id: it was started with setsid). */
  serverPid(service: 'temporal' | 'mlflow'): number | undefined;
  stop(): Promise<void>;
}

const portInUse = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

export async function startOwnStack(opts: OwnStackOptions): Promise<OwnStack> {
  const uiPort = opts.temporalPort + 1000;
  for (const port of [opts.temporalPort, uiPort, opts.mlflowPort]) {
    if (FOREIGN_PORTS.includes(port)) throw new Error(`port ${port} belongs to another stack; pick other benchmark ports`);
  }
  const stateDir = path.resolve(PROJECT_ROOT, opts.stateDir);
  // scripts/stack.sh and loadConfig() read the same variables, and worker processes inherit them.
  Object.assign(process.env, {
    DML_STATE_DIR: stateDir,
    TEMPORAL_PORT: String(opts.temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    MLFLOW_PORT: String(opts.mlflowPort),
    TEMPORAL_ADDRESS: `127.0.0.1:${opts.temporalPort}`,
    MLFLOW_TRACKING_URI: `http://127.0.0.1:${opts.mlflowPort}`,
    DML_DATA_ROOT: path.join(stateDir, 'data'),
    DML_CPU_QUEUE: 'cpu',
    DML_GPU_QUEUE: 'gpu',
  });
  // A previous run of this benchmark that died may have left its servers up: stop them (by their pid files), then wipe.
  await stackService('stop', 'mlflow');
  await stackService('stop', 'temporal');
  for (const port of [opts.temporalPort, opts.mlflowPort]) {
    if (await portInUse(port)) throw new Error(`port ${port} is in use by something this benchmark did not start`);
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  await stackService('start', 'temporal', opts.projectRoot);
  await stackService('start', 'mlflow', opts.projectRoot);
  const config = loadConfig();
  fs.mkdirSync(config.dataRoot, { recursive: true });
  const serverPid = (service: 'temporal' | 'mlflow') => {
    try {
      return Number(fs.readFileSync(path.join(stateDir, 'pids', `${service}.pid`), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  return {
    config,
    stateDir,
    serverPid,
    async stop() {
      await stackService('stop', 'mlflow');
      await stackService('stop', 'temporal');
    },
  };
}

export interface ReadyWorker extends WorkerProcess {
  /** When the worker logged `worker ready` (ms since the epoch, from its own log line). */
  readyAt: number;
}

/**
 * Starts a real worker process (build/src/workers/<role>.js) against the stack and waits until it polls.
 * The prebuilt workflow bundle spares the CPU worker webpack's start-up (and its CPU time in the measurements).
 */
export async function startReadyWorker(role: 'cpu' | 'gpu', config: AppConfig, opts: { timeoutMs?: number; projectRoot?: string } = {}): Promise<ReadyWorker> {
  const { timeoutMs = 240_000, projectRoot } = opts;
  await ensureWorkflowBundle();
  // Another checkout's worker bundles its own workflows (the prebuilt bundle is this checkout's).
  const bundle: Record<string, string> = projectRoot ? { DML_WORKFLOW_BUNDLE: '' } : { DML_WORKFLOW_BUNDLE: process.env.DML_WORKFLOW_BUNDLE! };
  const worker = startWorkerProcess(role, { ...workerEnv(config), ...bundle }, projectRoot);
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void worker.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline && exitCode === undefined) {
    const ready = logLines(worker.output()).find((l) => l.message === 'worker ready');
    if (ready) return { ...worker, readyAt: Date.parse(String(ready.time)) };
    await new Promise((r) => setTimeout(r, 100));
  }
  worker.child.kill('SIGKILL');
  throw new Error(`${role} worker did not become ready (exit code ${exitCode}):\n${worker.output().slice(-3000)}`);
}

/** The worker's one-line JSON log records (src/workers/logging.ts); other output is skipped. */
export function logLines(output: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // a line still being written
    }
  }
  return lines;
}

/** Stops a worker with SIGTERM (graceful shutdown) and waits, SIGKILL after `graceMs`. */
export async function stopWorker(worker: WorkerProcess, graceMs = 15_000): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
  await worker.exited;
  clearTimeout(timer);
}
