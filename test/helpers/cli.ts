/** Runs the compiled durable-ml CLI as a child process against the test stack, with a test's own queues and data root. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { AppConfig, PROJECT_ROOT } from '../../src/config';

export const CLI = path.join(PROJECT_ROOT, 'build', 'src', 'cli', 'index.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(config: AppConfig, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliRun> {
  const childEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    MLFLOW_TRACKING_URI: config.mlflow.trackingUri,
    DML_CPU_QUEUE: config.taskQueues.cpu,
    DML_GPU_QUEUE: config.taskQueues.gpu,
    DML_DATA_ROOT: config.dataRoot,
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: childEnv, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
