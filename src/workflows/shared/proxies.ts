/** Activity proxies per stage, each routed to its task queue with its own timeouts, retries and priority. */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { BOOKKEEPING, EVALUATE, PREPARE, REGISTER, TRAIN } from './activity-options';
import { DEFAULT_TASK_QUEUES, TaskQueues } from './task-queues';
import type { PipelineInput, PipelineName } from './types';

/** Tick models feed the trading day: their tasks jump the queues (1 = highest, server default 3). */
const PRIORITY: Record<PipelineName, number> = { tick: 1, mnist: 3, cifar10: 3, power: 2 };

/** The queues the input names (checked at the boundary), else the workflow's own queue for CPU stages. */
function queuesOf(input: PipelineInput): TaskQueues {
  return input.taskQueues ?? { ...DEFAULT_TASK_QUEUES, cpu: workflowInfo().taskQueue };
}

export function stageActivities(pipeline: PipelineName, input: PipelineInput) {
  const queues = queuesOf(input);
  const priority = { priorityKey: PRIORITY[pipeline] };
  return {
    prepare: proxyActivities<Activities>({ ...PREPARE, taskQueue: queues.cpu, priority }),
    gpuTrain: proxyActivities<Activities>({ ...TRAIN, taskQueue: queues.gpu, priority }),
    cpuTrain: proxyActivities<Activities>({ ...TRAIN, taskQueue: queues.cpu, priority }),
    evaluate: proxyActivities<Activities>({ ...EVALUATE, taskQueue: queues.cpu, priority }),
  };
}

export function bookkeepingActivities(input: PipelineInput) {
  const queues = queuesOf(input);
  const { startTrackingRun, finishTrackingRun, findFinishedPartition } = proxyActivities<Activities>({ ...BOOKKEEPING, taskQueue: queues.cpu });
  const { registerModel, requestPromotion } = proxyActivities<Activities>({ ...REGISTER, taskQueue: queues.cpu });
  return { startTrackingRun, finishTrackingRun, findFinishedPartition, registerModel, requestPromotion };
}
