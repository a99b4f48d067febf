/**
 * Activity proxies per stage, each routed to its task queue with its own timeouts, retries and priority, and
 * a one-line summary the Web UI shows on the activity ("train CNN on gpu, 8 epochs").
 */
import { patched, proxyActivities, proxyLocalActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../../activities';
import { BOOKKEEPING, BOOKKEEPING_LOCAL, EVALUATE, PREPARE, REGISTER, TRAIN } from './activity-options';
import { stageSummaries } from './describe';
import { DEFAULT_TASK_QUEUES, TaskQueues } from './task-queues';
import type { PipelineCatalogEntry, QueueKind } from '../../pipelines';
import type { PipelineInput, PipelineName, ValidInput } from './types';

/** The queues the input names (checked at the boundary), else the workflow's own queue for CPU stages. */
function queuesOf(input: PipelineInput): TaskQueues {
  return input.taskQueues ?? { ...DEFAULT_TASK_QUEUES, cpu: workflowInfo().taskQueue };
}

/** Proxies typed with the activities of their queue: a GPU training proxied to the CPU queue is a compile error. */
function proxiesOn<Q extends QueueKind>(queue: Q, queues: TaskQueues, options: ActivityOptions) {
  return proxyActivities<ActivitiesByQueue[Q]>({ ...options, taskQueue: queues[queue] });
}

/** The stage proxies of a pipeline: on the queues and with the priority its catalog entry names. */
export function stageActivities<E extends PipelineCatalogEntry>(entry: E, input: ValidInput) {
  const queues = queuesOf(input);
  const priority = { priorityKey: entry.priority };
  const summary = stageSummaries(entry.name, input, queues);
  return {
    prepare: proxiesOn(entry.queues.prepare, queues, { ...PREPARE, priority, summary: summary.prepare }),
    train: proxiesOn(entry.queues.train as E['queues']['train'], queues, { ...TRAIN, priority, summary: summary.train }),
    evaluate: proxiesOn(entry.queues.evaluate, queues, { ...EVALUATE, priority, summary: summary.evaluate }),
  };
}

export function bookkeepingActivities(pipeline: PipelineName, input: ValidInput) {
  const queues = queuesOf(input);
  const summary = stageSummaries(pipeline, input, queues);
  // The MLflow run's start and finish and the finished-partition lookup are a few HTTP calls: as local activities
  // they run inside the workflow task on this (CPU) worker, which registers them, instead of costing an activity
  // task and another workflow task each (bench/results/pipeline-overhead.md). They are idempotent (the run is found
  // again by its tag, closing twice sets the same state), so an at-least-once re-run after a crash is harmless.
  // Versioned: runs started before this change replay with their scheduled activities.
  const local = patched('local-bookkeeping');
  const bookkeeping = (what: string) =>
    local ? proxyLocalActivities<ActivitiesByQueue['cpu']>({ ...BOOKKEEPING_LOCAL, summary: what }) : proxiesOn('cpu', queues, { ...BOOKKEEPING, summary: what });
  return {
    startTrackingRun: bookkeeping(summary.startTrackingRun).startTrackingRun,
    finishTrackingRun: bookkeeping(summary.finishTrackingRun).finishTrackingRun,
    findFinishedPartition: bookkeeping(summary.findFinishedPartition).findFinishedPartition,
    checkPartitionData: bookkeeping(summary.checkPartitionData).checkPartitionData,
    registerModel: proxiesOn('cpu', queues, { ...REGISTER, summary: summary.register }).registerModel,
    requestPromotion: proxiesOn('cpu', queues, { ...REGISTER, summary: summary.requestPromotion }).requestPromotion,
  };
}
