/** Messages between a training activity (main thread) and its training worker thread. */
import type { Architecture } from '../architectures';
import type { HyperParams } from '../../workflows/shared/types';

export interface TrainJob {
  mode: 'train';
  architecture: Architecture;
  preparedDir: string;
  params: HyperParams;
  /** Checkpoints (weights + optimizer state + position + history); training resumes from the newest intact one. */
  checkpointDir: string;
  /** A checkpoint is also taken mid-epoch once this long has passed since the last one. */
  checkpointEveryMs: number;
  /** Final model, tfjs layers format. */
  outputDir: string;
  /** A model folder (tfjs layers) whose weights a fresh training starts from instead of new ones (warm start). */
  initialModelDir?: string;
}

export interface PredictJob {
  mode: 'predict';
  modelDir: string;
  preparedDir: string;
  /** Name of the prepared input array, e.g. 'x_test'. */
  input: string;
  /** Where the float32 predictions are written. */
  outputFile: string;
}

export type ThreadJob = TrainJob | PredictJob;

/** What the thread receives: the job, and a flag the main thread raises to ask it to checkpoint and stop. */
export interface ThreadData {
  job: ThreadJob;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the thread should stop. */
  stop: Int32Array;
}

export interface EpochRecord {
  epoch: number;
  metrics: Record<string, number>;
  time: number;
}

/** The thrown error's name when the loss becomes NaN or infinite (non-retryable). */
export const DIVERGED = 'TrainingDiverged';

export type ThreadMessage =
  | { type: 'backend'; backend: string; description: string; tensorflowVersion?: string; threads: number }
  | { type: 'checkpoint-skipped'; checkpoint: string; reason: string }
  | { type: 'resumed'; fromEpoch: number; fromBatch: number; checkpoint: string; history: EpochRecord[] }
  | { type: 'batch'; epoch: number; batch: number; batches: number }
  | { type: 'checkpoint'; checkpoint: string; epochsDone: number; batchesDone: number }
  | { type: 'epoch'; record: EpochRecord; checkpointDir: string; totalEpochs: number }
  | { type: 'stopped'; epochsDone: number; batchesDone: number }
  | { type: 'trained'; epochs: number; history: EpochRecord[]; inputShape: (number | null)[]; outputShape: (number | null)[] }
  | { type: 'predicted'; shape: number[]; outputFile: string }
  | { type: 'error'; name: string; message: string; retryable: boolean; stack?: string };
