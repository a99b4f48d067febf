/**
 * What every command needs: the config, a Temporal client that fails fast and names the address it tried,
 * an MLflow client, and links into the Temporal Web UI.
 */
import { Client, Connection } from '@temporalio/client';
import { AppConfig, loadConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import { PipelineClient } from '../client';
import { MlflowClient } from '../mlflow/client';
import { CliError, temporalUnreachable } from './errors';

let cached: AppConfig | undefined;

export function cliConfig(): AppConfig {
  if (!cached) {
    try {
      cached = loadConfig();
    } catch (err) {
      throw new CliError(`invalid configuration: ${(err as Error).message}`);
    }
  }
  return cached;
}

/** The config if it loads, for error messages that name addresses. */
export function configIfLoaded(): AppConfig | undefined {
  return cached;
}

/** Connects with a short timeout: a CLI user waiting 10 s (the SDK default) for a refused port is worse than a quick, clear error. */
export async function connectPipelines(config = cliConfig()): Promise<PipelineClient> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...temporalConnectionOptions(config.temporal), connectTimeout: '5s' });
  } catch (err) {
    throw temporalUnreachable(config, err);
  }
  return new PipelineClient(new Client({ connection, namespace: config.temporal.namespace }), config);
}

/** Runs `fn` with a connected client and always closes the connection, so the process can exit. */
export async function withPipelines<T>(fn: (pc: PipelineClient) => Promise<T>): Promise<T> {
  const pc = await connectPipelines();
  try {
    return await fn(pc);
  } finally {
    await pc.close().catch(() => undefined);
  }
}

export function mlflowClient(config = cliConfig()): MlflowClient {
  return new MlflowClient({ ...config.mlflow, timeoutMs: 10_000 });
}

export function workflowUrl(config: AppConfig, workflowId: string): string {
  return `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function scheduleUrl(config: AppConfig, scheduleId: string): string {
  return `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/schedules/${encodeURIComponent(scheduleId)}`;
}
