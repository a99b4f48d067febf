/**
 * Runtime configuration, read once from the environment.
 * Every setting has a default that matches the local stack started by `scripts/stack.sh`,
 * and the same names are used by docker-compose.yml for the production layout.
 */
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TASK_QUEUES, TaskQueues } from '../workflows/shared/task-queues';
import { ConfigError, loadTemporalConfig, TemporalConfig } from './temporal';
import { lightgbmLibFromEnv } from './lightgbm';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export { ConfigError, temporalConnectionOptions } from './temporal';
export type { TemporalConfig } from './temporal';
export { dataLimitsFromEnv } from './data-limits';
export { lightgbmLibFromEnv } from './lightgbm';

export interface MlflowConfig {
  trackingUri: string;
  username?: string;
  password?: string;
  token?: string;
}

export interface AppConfig {
  temporal: TemporalConfig;
  mlflow: MlflowConfig;
  taskQueues: TaskQueues;
  dataRoot: string;
  /** Concurrent training activities on one GPU worker (one model per GPU by default). */
  gpuTrainingConcurrency: number;
  cpuActivityConcurrency: number;
  temporalUiUrl: string;
  lightgbmLib?: string;
  /** LightGBM threads per training: all cores of the machine unless limited. */
  lightgbmThreads: number;
  /** Seconds between mid-epoch training checkpoints (DML_CHECKPOINT_EVERY_SEC). */
  checkpointEverySec: number;
  /** Checkpoint folders of finished runs kept under <data root>/checkpoints/finished (0: removed when a run ends). */
  keepCheckpoints: number;
  /** Compute threads per worker process for CPU-bound activity work (DML_COMPUTE_THREADS; 0 = on the event loop). */
  computeThreads: number;
  /**
   * DML_DATA_ROOT_SHARED=1: every worker of the deployment mounts this same data root (one machine, or a shared
   * volume), so prepared data and checkpoints need no copy in MLflow's artifact store for another worker to find them.
   */
  dataRootShared: boolean;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be ${min === 1 ? 'a positive' : 'a non-negative'} integer, got '${raw}'`);
  }
  return value;
}

function boolFromEnv(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (['', '0', 'false'].includes(raw)) return false;
  if (['1', 'true'].includes(raw)) return true;
  throw new ConfigError(`${name} must be 1/true or 0/false, got '${env[name]}'`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const temporalPort = env.TEMPORAL_PORT ?? '7233';
  const uiPort = env.TEMPORAL_UI_PORT ?? String(Number(temporalPort) + 1000);
  const mlflowPort = env.MLFLOW_PORT ?? '5000';
  return {
    temporal: loadTemporalConfig(env),
    mlflow: {
      trackingUri: (env.MLFLOW_TRACKING_URI ?? `http://127.0.0.1:${mlflowPort}`).replace(/\/+$/, ''),
      username: env.MLFLOW_TRACKING_USERNAME || undefined,
      password: env.MLFLOW_TRACKING_PASSWORD || undefined,
      token: env.MLFLOW_TRACKING_TOKEN || undefined,
    },
    taskQueues: {
      cpu: env.DML_CPU_QUEUE ?? DEFAULT_TASK_QUEUES.cpu,
      gpu: env.DML_GPU_QUEUE ?? DEFAULT_TASK_QUEUES.gpu,
    },
    dataRoot: path.resolve(env.DML_DATA_ROOT ?? path.join(PROJECT_ROOT, '.local', 'data')),
    gpuTrainingConcurrency: intFromEnv(env, 'DML_GPU_TRAINING_CONCURRENCY', 1),
    cpuActivityConcurrency: intFromEnv(env, 'DML_CPU_ACTIVITY_CONCURRENCY', 4),
    temporalUiUrl: env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${uiPort}`,
    lightgbmLib: lightgbmLibFromEnv(env),
    lightgbmThreads: intFromEnv(env, 'DML_LIGHTGBM_THREADS', os.cpus().length),
    checkpointEverySec: intFromEnv(env, 'DML_CHECKPOINT_EVERY_SEC', 60),
    keepCheckpoints: intFromEnv(env, 'DML_KEEP_CHECKPOINTS', 0, 0),
    computeThreads: intFromEnv(env, 'DML_COMPUTE_THREADS', os.availableParallelism(), 0),
    dataRootShared: boolFromEnv(env, 'DML_DATA_ROOT_SHARED'),
  };
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * Process-level switches, read when used rather than once at startup (a test or a tool sets them for the process
 * it is in), but named and parsed here, with the settings above, so every variable the code reads is in this module.
 */
export const processSettings = {
  /** DML_LOG_LEVEL: the workers' log level (Temporal's and ours); INFO by default. */
  logLevel(env: NodeJS.ProcessEnv = process.env): LogLevelName {
    const raw = (env.DML_LOG_LEVEL || 'INFO').toUpperCase();
    if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new ConfigError(`DML_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${env.DML_LOG_LEVEL}'`);
    return raw as LogLevelName;
  },
  /** DML_METRICS_BIND: `host:port` of the workers' Prometheus endpoint; off when unset. */
  metricsBind: (env: NodeJS.ProcessEnv = process.env): string | undefined => env.DML_METRICS_BIND || undefined,
  /** DML_WORKFLOW_BUNDLE: a prebuilt workflow bundle (saves webpack time at worker start); bundled from source otherwise. */
  workflowBundle: (env: NodeJS.ProcessEnv = process.env): string | undefined => env.DML_WORKFLOW_BUNDLE || undefined,
  /** DML_OFFLINE=1: data sets are taken from what is present or cached, never downloaded. */
  offline: (env: NodeJS.ProcessEnv = process.env): boolean => ['1', 'true'].includes(env.DML_OFFLINE ?? ''),
  /** DML_DEBUG=1: the CLI prints the stack trace of an unexpected error. */
  debug: (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.DML_DEBUG),
  /** DML_TFJS_BACKEND: force a tfjs backend (tensorflow, wasm, cpu); the best available otherwise. */
  tfjsBackend: (env: NodeJS.ProcessEnv = process.env): string | undefined => env.DML_TFJS_BACKEND || undefined,
};
