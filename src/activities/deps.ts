/** What activities are built from: injected so each activity can be tested alone against real servers. */
import type { MlflowClient } from '../mlflow';
import type { DataLimits } from '../data/limits';

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
}
