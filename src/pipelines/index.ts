/**
 * The pipeline catalog: one plain-data entry per pipeline (workflow type, MLflow experiment, registered model, gate,
 * champion metric, priority, queues per stage, parameters with defaults, main-job settings). Every per-pipeline
 * table elsewhere is derived from it. Safe to import from workflow code: no Node built-ins, no activity code.
 */
import { cifar10 } from './cifar10';
import { mnist } from './mnist';
import { power } from './power';
import { tick } from './tick';
import type { PipelineName } from './types';

export type { GateCondition, ModelPolicy, PipelineCatalogEntry, PipelineName, QueueKind } from './types';
export type { MnistParams } from './mnist';
export type { Cifar10Params } from './cifar10';
export type { TickParams } from './tick';
export type { PowerParams } from './power';

export const CATALOG = { mnist, cifar10, tick, power } as const satisfies { [P in PipelineName]: { name: P } };
export type Catalog = typeof CATALOG;

export const PIPELINE_NAMES: readonly PipelineName[] = ['mnist', 'cifar10', 'tick', 'power'];

/** A table with one value per pipeline, computed from its catalog entry. */
export function perPipeline<T>(pick: (entry: Catalog[PipelineName]) => T): Record<PipelineName, T> {
  return Object.fromEntries(PIPELINE_NAMES.map((p) => [p, pick(CATALOG[p])])) as Record<PipelineName, T>;
}
