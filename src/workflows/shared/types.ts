/**
 * Contracts between workflows, activities and callers. Everything here travels in Temporal payloads,
 * so it holds references (paths, MLflow run ids, model URIs) and small numbers: never datasets or weights.
 */
import type { TaskQueues } from './task-queues';

export type PipelineName = 'mnist' | 'cifar10' | 'tick' | 'power';

export type HyperParams = Record<string, string | number | boolean>;

/** Where the raw data comes from: files under the data root, or a generated synthetic set in the same format. */
export type DataSource =
  | { kind: 'files'; dir?: string }
  | { kind: 'synthetic'; seed?: number; size?: 'tiny' | 'small' };

export interface DataWindow {
  /** ISO-8601 instants, start inclusive, end exclusive. */
  start: string;
  end: string;
}

export interface PipelineInput {
  params?: HyperParams;
  source?: DataSource;
  window?: DataWindow;
  /**
   * Partition to train for, 'YYYY-MM-DD' (UTC): the training window ends at the start of that day, so a run
   * scheduled for a date, or backfilled for one, sees only data before it. Takes precedence over `window.end`.
   */
  trainingDate?: string;
  /** Overrides of the registration gate's thresholds, keyed by metric name. */
  gate?: Record<string, number>;
  /** Filled by the client from config; workflow code cannot read the environment. */
  taskQueues?: TaskQueues;
}

export interface TrackingRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
  runUrl: string;
}

export interface StageRequest {
  pipeline: PipelineName;
  run: TrackingRun;
  input: PipelineInput;
  /** Hyper-parameters after defaults were applied. */
  params: HyperParams;
}

export interface PreparedData {
  /** Directory under the data root holding the prepared arrays and their meta.json. */
  dir: string;
  dataset: string;
  counts: Record<string, number>;
  reused: boolean;
}

export interface TrainedModel {
  /** Directory holding the model files (tfjs model.json + weights, or a LightGBM model text). */
  dir: string;
  format: 'tfjs-layers' | 'lightgbm';
  /** What computed it: tfjs backend (e.g. 'wasm') or 'lightgbm-<version>'. */
  backend: string;
  libraryVersion?: string;
  epochs: number;
  metrics: Record<string, number>;
}

export interface Evaluation {
  metrics: Record<string, number>;
  artifacts: string[];
}

export interface RegistrationRequest {
  pipeline: PipelineName;
  run: TrackingRun;
  model: TrainedModel;
  metrics: Record<string, number>;
  gateOverrides?: Record<string, number>;
}

export interface Registration {
  modelName: string;
  modelUri: string;
  registered: boolean;
  version?: string;
  champion: boolean;
  reason: string;
}

export interface PipelineResult {
  pipeline: PipelineName;
  workflowId: string;
  /** The data partition trained on (training date or window), when one applied. */
  partition?: string;
  mlflowRunId: string;
  mlflowRunUrl: string;
  backend: string;
  metrics: Record<string, number>;
  registration: Registration;
}

export type Stage = 'starting' | 'prepare' | 'train' | 'evaluate' | 'register' | 'done' | 'failed';

/** Live training progress, sent by the training activity each epoch/iteration (also in its heartbeat details). */
export interface TrainingProgress {
  epoch: number;
  totalEpochs: number;
  metrics: Record<string, number>;
  backend?: string;
}

export interface PipelineProgress {
  stage: Stage;
  partition?: string;
  training?: TrainingProgress;
  mlflowRunId?: string;
  prepared?: PreparedData;
  trained?: Pick<TrainedModel, 'epochs' | 'metrics' | 'backend'>;
  error?: string;
}
