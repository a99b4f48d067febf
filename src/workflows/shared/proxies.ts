/**
 * Activity proxies per stage, each routed to its task queue with its own timeouts, retries and priority, and
 * a one-line summary the Web UI shows on the activity ("train CNN on gpu, 8 epochs").
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { BOOKKEEPING, EVALUATE, PREPARE, REGISTER, TRAIN } from './activity-options';
import { stageSummaries } from './describe';
import { DEFAULT_TASK_QUEUES, TaskQueues } from './task-queues';
import type { PipelineInput, PipelineName, ValidInput } from './types';

/** Tick models feed the trading day: their tasks jump the queues (1 = highest, server default 3). */
const PRIORITY: Record<PipelineName, number> = { tick: 1, mnist: 3, cifar10: 3, power: 2 };

/** The queues the input names (checked at the boundary), else the workflow's own queue for CPU stages. */
function queuesOf(input: PipelineInput): TaskQueues {
  return input.taskQueues ?? { ...DEFAULT_TASK_QUEUES, cpu: workflowInfo().taskQueue };
}

export function stageActivities(pipeline: PipelineName, input: ValidInput) {
  const queues = queuesOf(input);
  const priority = { priorityKey: PRIORITY[pipeline] };
  const summary = stageSummaries(pipeline, input, queues);
  return {
    prepare: proxyActivities<Activities>({ ...PREPARE, taskQueue: queues.cpu, priority, summary: summary.prepare }),
    gpuTrain: proxyActivities<Activities>({ ...TRAIN, taskQueue: queues.gpu, priority, summary: summary.train }),
    cpuTrain: proxyActivities<Activities>({ ...TRAIN, taskQueue: queues.cpu, priority, summary: summary.train }),
    evaluate: proxyActivities<Activities>({ ...EVALUATE, taskQueue: queues.cpu, priority, summary: summary.evaluate }),
  };
}

export function bookkeepingActivities(pipeline: PipelineName, input: ValidInput) {
  const queues = queuesOf(input);
  const summary = stageSummaries(pipeline, input, queues);
  const bookkeeping = (what: string) => proxyActivities<Activities>({ ...BOOKKEEPING, taskQueue: queues.cpu, summary: what });
  return {
    startTrackingRun: bookkeeping(summary.startTrackingRun).startTrackingRun,
    finishTrackingRun: bookkeeping(summary.finishTrackingRun).finishTrackingRun,
    findFinishedPartition: bookkeeping(summary.findFinishedPartition).findFinishedPartition,
    registerModel: proxyActivities<Activities>({ ...REGISTER, taskQueue: queues.cpu, summary: summary.register }).registerModel,
  };
}
