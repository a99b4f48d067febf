/** Activity proxies per stage, each routed to its task queue with its own timeouts, retries and priority. */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { BOOKKEEPING, EVALUATE, PREPARE, REGISTER, TRAIN } from './activity-options';
import { DEFAULT_TASK_QUEUES, TaskQueues } from './task-queues';
import type { PipelineCatalogEntry } from '../../pipelines';
import type { PipelineInput } from './types';

/** The queues the input names (checked at the boundary), else the workflow's own queue for CPU stages. */
function queuesOf(input: PipelineInput): TaskQueues {
  return input.taskQueues ?? { ...DEFAULT_TASK_QUEUES, cpu: workflowInfo().taskQueue };
}

/** The stage proxies of a pipeline: on the queues and with the priority its catalog entry names. */
export function stageActivities(entry: PipelineCatalogEntry, input: PipelineInput) {
  const queues = queuesOf(input);
  const priority = { priorityKey: entry.priority };
  return {
    prepare: proxyActivities<Activities>({ ...PREPARE, taskQueue: queues[entry.queues.prepare], priority }),
    train: proxyActivities<Activities>({ ...TRAIN, taskQueue: queues[entry.queues.train], priority }),
    evaluate: proxyActivities<Activities>({ ...EVALUATE, taskQueue: queues[entry.queues.evaluate], priority }),
  };
}

export function bookkeepingActivities(input: PipelineInput) {
  const queues = queuesOf(input);
  const { startTrackingRun, finishTrackingRun, findFinishedPartition } = proxyActivities<Activities>({ ...BOOKKEEPING, taskQueue: queues.cpu });
  const { registerModel } = proxyActivities<Activities>({ ...REGISTER, taskQueue: queues.cpu });
  return { startTrackingRun, finishTrackingRun, findFinishedPartition, registerModel };
}
