/** The shape of one pipeline's catalog entry (src/pipelines/<pipeline>.ts): plain data, safe to import from workflow code. */
import type { z } from 'zod';
import type { ParamsOf } from './params';

export type PipelineName = 'mnist' | 'cifar10' | 'tick' | 'power';
export type QueueKind = 'cpu' | 'gpu';

export interface GateCondition {
  metric: string;
  op: '>=' | '<=' | '<';
  threshold: number;
}

/** When a trained model may become a model version, and when it becomes champion. */
export interface ModelPolicy {
  /** MLflow registered model the gate-passing versions go to. */
  modelName: string;
  /** Names this registered model had before; the register activity renames the first one found (one-time migration). */
  formerModelNames: readonly string[];
  gate: readonly GateCondition[];
  /** Metric compared against the current champion's. */
  championMetric: string;
  higherIsBetter: boolean;
  /**
   * The gate needs evidence: fewer test examples than this (images, bars, hourly rows) and the model is not
   * registered, whatever its metrics. Overridable per run with the input's `gate.minTestSize`.
   */
  minTestSize: number;
  testUnit: string;
}

export interface PipelineCatalogEntry<S extends z.ZodRawShape = z.ZodRawShape> {
  name: PipelineName;
  /** Temporal workflow type (the exported workflow function's name in src/workflows/<pipeline>.ts). */
  workflowType: string;
  /** MLflow experiment every run of this pipeline is logged to. */
  experiment: string;
  policy: ModelPolicy;
  /**
   * Temporal task priority (1 = highest, server default 3): set on client starts, schedule actions and every
   * stage activity, so one pipeline's tasks jump the shared queues.
   */
  priority: number;
  /** The queue each stage runs on (the input's `taskQueues` names the actual queues). */
  queues: { prepare: 'cpu'; train: QueueKind; evaluate: 'cpu' };
  /** Parameter ranges (zod) and defaults: the one definition of the pipeline's hyper-parameters. */
  params: { shape: S; defaults: ParamsOf<S> };
  /** What the main job (`npm run main`) trains: synthetic data size and parameter overrides. */
  /** What the main job runs: synthetic set size, parameters, and (tick only) the planted momentum of the synthetic ticks. */
  mainJob: { size: 'tiny' | 'small'; params: Partial<ParamsOf<S>>; momentum?: number };
}
