/**
 * Contracts between workflows, activities and callers. Everything here travels in Temporal payloads,
 * so it holds references (paths, MLflow run ids, model URIs) and small numbers: never datasets or weights.
 */
import type { PipelineName, PipelineParams, ValidInput } from './input-schema';

export type { DataSource, DataWindow, PipelineInput, PipelineName, PipelineParams, ValidInput } from './input-schema';

/** Hyper-parameters as they travel to activities and MLflow (each pipeline's typed shape: PipelineParams). */
export type HyperParams = Record<string, string | number | boolean>;

export interface TrackingRun {
  runId: string;
  experimentId: string;
  artifactUri: string;
  runUrl: string;
}

export interface StageRequest {
  pipeline: PipelineName;
  run: TrackingRun;
  /** The validated input (input-schema.ts), defaults applied. */
  input: ValidInput;
  /** Hyper-parameters after defaults were applied. */
  params: HyperParams;
}

/**
 * The typed parameters of a stage request of one of `pipelines` (validated, defaults applied, at the workflow
 * boundary). An activity handed another pipeline's request is a wiring mistake: refused here rather than read wrongly.
 */
export function paramsOf<P extends PipelineName>(req: Pick<StageRequest, 'pipeline' | 'params'>, ...pipelines: [P, ...P[]]): PipelineParams<P> {
  if (!(pipelines as PipelineName[]).includes(req.pipeline)) throw new TypeError(`a ${req.pipeline} request reached an activity of ${pipelines.join('/')}`);
  return req.params as unknown as PipelineParams<P>;
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
  /**
   * The run's `model` artifact the trainer published (how evaluate and register on other machines reach the model).
   * Absent in histories from before trainers published: registration uploads `dir` then.
   */
  modelUri?: string;
  /** The published files' sha256 by name: a worker's local copy is used only when it holds exactly these. */
  modelFiles?: Record<string, string>;
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
  /** Size of the test set the metrics were measured on (rows, images or sequences). */
  testSize?: number;
  /** Register only; the pipeline then promotes through the model's champion workflow. */
  deferPromotion?: boolean;
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
  /**
   * Set when this (scheduled or backfilled) run trained nothing because its partition already had a successful
   * run: the fields above are that run's result.
   */
  skipped?: { reason: string; workflowId: string; runId: string };
}

/** An earlier successful run of the same partition, found through Temporal visibility. */
export interface FinishedPartition {
  workflowId: string;
  runId: string;
  result: PipelineResult;
}

export type Stage = 'starting' | 'prepare' | 'train' | 'evaluate' | 'register' | 'done' | 'skipped' | 'failed';

/** Live training progress, sent by the training activity each epoch/iteration (also in its heartbeat details). */
export interface TrainingProgress {
  epoch: number;
  totalEpochs: number;
  metrics: Record<string, number>;
  backend?: string;
  /** Mid-epoch reports: batch reached in the epoch in flight (epoch + 1), of `batches`. */
  batch?: number;
  batches?: number;
  /** Training speed over the last report interval: samples (tfjs) or boosting rounds (LightGBM) per second. */
  throughput?: { perSec: number; unit: 'samples' | 'rounds' };
  /** Estimated seconds of training left, at `at`. */
  etaSec?: number;
  /** When the activity measured this (ms since the epoch). */
  at?: number;
}

/** The data sensor's state while a partition's input is incomplete (src/workflows/shared/data-sensor.ts). */
export interface DataWait {
  /** Files not there yet, relative to the data root, and how many the partition needs. */
  missing: string[];
  expected: number;
  /** Epoch ms: when the wait began, the last check, and when it gives up. */
  since: number;
  checkedAt: number;
  deadline: number;
}

export interface PipelineProgress {
  stage: Stage;
  partition?: string;
  /** Set while prepare waits for the partition's input; cleared when it is there. */
  waitingForData?: DataWait;
  training?: TrainingProgress;
  mlflowRunId?: string;
  prepared?: PreparedData;
  trained?: Pick<TrainedModel, 'epochs' | 'metrics' | 'backend'>;
  /** Test-set metrics once evaluated. */
  evaluated?: Record<string, number>;
  registration?: Registration;
  mlflowRunUrl?: string;
  /** The stage that failed, and the failure's type (e.g. DataError) beside its root-cause message. */
  failedStage?: Stage;
  errorType?: string;
  error?: string;
}
