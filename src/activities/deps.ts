/** What activities are built from: injected so each activity can be tested alone against real servers. */
import os from 'node:os';
import type { AppConfig } from '../config';
import type { MlflowClient } from '../mlflow';
import type { DataLimits } from '../data/limits';
import { createComputePool, type ComputePool } from '../compute';

export interface ActivityDeps {
  mlflow: MlflowClient;
  /** Root folder for raw data, prepared data, checkpoints and model files (shared storage in production). */
  dataRoot: string;
  /** Explicit lib_lightgbm.so path; otherwise resolved from LIGHTGBM_LIB or the project's .venv. */
  lightgbmLib?: string;
  /** Bounds on input data (file size, read time, dates, series length, plausible values); from the environment by default. */
  limits?: DataLimits;
  /** LightGBM threads per training (0 = OpenMP's default, all cores it sees). */
  lightgbmThreads?: number;
  /** Seconds between mid-epoch training checkpoints (default 60). */
  checkpointEverySec?: number;
  /** Checkpoint folders of finished runs to keep (newest first); 0 removes each run's checkpoints when it ends. */
  keepCheckpoints?: number;
  /** Threads for CPU-bound work (parsing, featurising, charts); a process-wide default pool when absent. */
  compute?: ComputePool;
  /** Every worker sees this same data root: prepared data and checkpoints are not copied to MLflow artifacts. */
  dataRootShared?: boolean;
}

/** The deps a worker (or a test standing in for one) builds from the configuration. */
export function activityDepsFrom(config: AppConfig, mlflow: MlflowClient, compute?: ComputePool): ActivityDeps {
  const { dataRoot, lightgbmLib, lightgbmThreads, checkpointEverySec, keepCheckpoints, dataRootShared } = config;
  return { mlflow, dataRoot, lightgbmLib, lightgbmThreads, checkpointEverySec, keepCheckpoints, dataRootShared, compute };
}

let defaultPool: ComputePool | undefined;

/** The deps' compute pool, or one shared by the process (one thread per core) for deps built without one. */
export function computeOf(deps: Pick<ActivityDeps, 'compute'>): ComputePool {
  return deps.compute ?? (defaultPool ??= createComputePool(os.availableParallelism()));
}
