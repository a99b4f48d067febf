/** Activity proxies per stage, each routed to its task queue with its own timeouts, retries and priority. */
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../../activities';
import { BOOKKEEPING, EVALUATE, PREPARE, REGISTER, TRAIN } from './activity-options';
import { DEFAULT_TASK_QUEUES, TaskQueues } from './task-queues';
import type { PipelineCatalogEntry, QueueKind } from '../../pipelines';
import type { PipelineInput } from './types';

/** The queues the input names (checked at the boundary), else the workflow's own queue for CPU stages. */
function queuesOf(input: PipelineInput): TaskQueues {
  return input.taskQueues ?? { ...DEFAULT_TASK_QUEUES, cpu: workflowInfo().taskQueue };
}

/** Proxies typed with the activities of their queue: a GPU training proxied to the CPU queue is a compile error. */
function proxiesOn<Q extends QueueKind>(queue: Q, queues: TaskQueues, options: ActivityOptions) {
  return proxyActivities<ActivitiesByQueue[Q]>({ ...options, taskQueue: queues[queue] });
}

/** The stage proxies of a pipeline: on the queues and with the priority its catalog entry names. */
export function stageActivities<E extends PipelineCatalogEntry>(entry: E, input: PipelineInput) {
  const queues = queuesOf(input);
  const priority = { priorityKey: entry.priority };
  return {
    prepare: proxiesOn(entry.queues.prepare, queues, { ...PREPARE, priority }),
    train: proxiesOn(entry.queues.train as E['queues']['train'], queues, { ...TRAIN, priority }),
    evaluate: proxiesOn(entry.queues.evaluate, queues, { ...EVALUATE, priority }),
  };
}

export function bookkeepingActivities(input: PipelineInput) {
  const queues = queuesOf(input);
  const { startTrackingRun, finishTrackingRun, findFinishedPartition } = proxiesOn('cpu', queues, BOOKKEEPING);
  const { registerModel } = proxiesOn('cpu', queues, REGISTER);
  return { startTrackingRun, finishTrackingRun, findFinishedPartition, registerModel };
}
