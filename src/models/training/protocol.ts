/** Messages between a training activity (main thread) and its training worker thread. */
import type { Architecture } from '../architectures';
import type { HyperParams } from '../../workflows/shared/types';

export interface TrainJob {
  mode: 'train';
  architecture: Architecture;
  preparedDir: string;
  params: HyperParams;
  /** Per-epoch checkpoint (weights + optimizer state + history); training resumes from it on retry. */
  checkpointDir: string;
  /** Final model, tfjs layers format. */
  outputDir: string;
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

export interface EpochRecord {
  epoch: number;
  metrics: Record<string, number>;
  time: number;
}

export type ThreadMessage =
  | { type: 'backend'; backend: string; description: string; tensorflowVersion?: string; threads: number }
  | { type: 'resumed'; fromEpoch: number; history: EpochRecord[] }
  | { type: 'epoch'; record: EpochRecord; checkpointDir: string; totalEpochs: number }
  | { type: 'trained'; epochs: number; history: EpochRecord[] }
  | { type: 'predicted'; shape: number[]; outputFile: string }
  | { type: 'error'; name: string; message: string; stack?: string };
