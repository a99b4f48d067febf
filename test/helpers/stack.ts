/**
 * Test plumbing against the real Temporal dev server and real MLflow server started by scripts/test.sh.
 * Each test gets its own task queues and data root, so tests never pick up each other's tasks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { AppConfig, loadConfig, PROJECT_ROOT } from '../../src/config';
import { createActivities, ActivityDeps } from '../../src/activities';
import { activityDepsFrom } from '../../src/activities/deps';
import { createWorkers, WorkerRole } from '../../src/workers/create';
import { MlflowClient } from '../../src/mlflow';
import { PipelineClient } from '../../src/client';

let runtimeInstalled = false;
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

/**
 * Bundles the workflow code once and reuses the bundle while the compiled workflows are unchanged,
 * so each test file does not pay webpack's start-up again.
 */
export async function ensureWorkflowBundle(): Promise<string> {
  const bundle = path.join(PROJECT_ROOT, 'build', 'test-workflow-bundle.js');
  const sources = path.join(PROJECT_ROOT, 'build', 'src', 'workflows');
  const newest = (file: string): number =>
    fs.statSync(file).isDirectory() ? Math.max(...fs.readdirSync(file).map((name) => newest(path.join(file, name)))) : fs.statSync(file).mtimeMs;
  // Workflow code also bundles the pipeline catalog and the error kinds.
  const bundled = [sources, path.join(PROJECT_ROOT, 'build', 'src', 'pipelines'), path.join(PROJECT_ROOT, 'build', 'src', 'errors.js')];
  const fresh = fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs > Math.max(...bundled.map(newest));
  if (!fresh) {
    const noop = () => undefined;
    const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
    const { code } = await bundleWorkflowCode({ workflowsPath: path.join(sources, 'index.js'), logger });
    fs.writeFileSync(`${bundle}.tmp`, code);
    fs.renameSync(`${bundle}.tmp`, bundle);
  }
  process.env.DML_WORKFLOW_BUNDLE = bundle;
  return bundle;
}

export function testConfig(): AppConfig {
  const base = loadConfig();
  const id = randomUUID().slice(0, 8);
  return {
    ...base,
    taskQueues: { cpu: `test-cpu-${id}`, gpu: `test-gpu-${id}` },
    dataRoot: fs.mkdtempSync(path.join(os.tmpdir(), 'dml-test-data-')),
  };
}

export function depsFor(config: AppConfig): ActivityDeps {
  return activityDepsFrom(config, new MlflowClient(config.mlflow));
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Starts in-process workers of the given roles; `stop()` shuts them down and waits for them. */
export async function startWorkers(
  config: AppConfig,
  roles: WorkerRole[],
  activities = createActivities(depsFor(config)),
): Promise<RunningWorkers> {
  installQuietRuntime();
  await ensureWorkflowBundle();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const { workers } = await createWorkers({ roles, config, activities, connection });
  const runs = workers.map((w: Worker) => w.run());
  return {
    async stop() {
      workers.forEach((w) => w.getState() === 'RUNNING' && w.shutdown());
      await Promise.allSettled(runs);
      await connection.close();
    },
  };
}

export async function pipelineClient(config: AppConfig): Promise<PipelineClient> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return new PipelineClient(new Client({ connection, namespace: config.temporal.namespace }), config);
}

/** Polls until `check` returns a truthy value or the timeout passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface PipelineStack {
  config: AppConfig;
  workers: RunningWorkers;
  client: PipelineClient;
  mlflow: MlflowClient;
}

async function startPipelineStack(config: AppConfig): Promise<PipelineStack> {
  const workers = await startWorkers(config, ['cpu', 'gpu']);
  return { config, workers, client: await pipelineClient(config), mlflow: new MlflowClient(config.mlflow) };
}

async function stopPipelineStack(stack: Partial<PipelineStack>): Promise<void> {
  await stack.workers?.stop();
  await stack.client?.close();
}

/**
 * For a describe block: in-process workers of both roles on the block's own queues, a pipeline client and an
 * MLflow client, started before its tests and stopped after. Read the fields inside tests (they are set then).
 */
export function usePipelineStack(config?: () => AppConfig): PipelineStack {
  const stack = {} as PipelineStack;
  beforeAll(async () => {
    Object.assign(stack, await startPipelineStack(config ? config() : testConfig()));
  });
  afterAll(() => stopPipelineStack(stack));
  return stack;
}

/** For one test: the same stack around `fn`, stopped however `fn` ends. */
export async function withPipelineStack<T>(fn: (stack: PipelineStack) => Promise<T>, config: AppConfig = testConfig()): Promise<T> {
  const stack = await startPipelineStack(config);
  try {
    return await fn(stack);
  } finally {
    await stopPipelineStack(stack);
  }
}
