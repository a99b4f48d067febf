/**
 * A partition trains once: a scheduled or backfilled run asks Temporal's visibility store whether another run of
 * the same pipeline and partition (search attribute DmlPartition) already completed, and takes its result.
 */
import { Context } from '@temporalio/activity';
import type { FinishedPartition, PipelineName, PipelineResult } from '../workflows/shared/types';

export interface FinishedPartitionRequest {
  pipeline: PipelineName;
  partition: string;
  /** The asking run, never its own answer (a backfill reuses the workflow id of the scheduled time). */
  runId: string;
}

/** Visibility query text: the value is quoted with the escapes Temporal's SQL-like syntax expects. */
export function finishedPartitionQuery(pipeline: PipelineName, partition: string): string {
  const value = `${pipeline}:${partition}`.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `DmlPartition = "${value}" AND ExecutionStatus = "Completed"`;
}

export function partitionActivities() {
  return {
    async findFinishedPartition(req: FinishedPartitionRequest): Promise<FinishedPartition | undefined> {
      const client = Context.current().client;
      for await (const execution of client.workflow.list({ query: finishedPartitionQuery(req.pipeline, req.partition) })) {
        if (execution.runId === req.runId) continue;
        const result = (await client.workflow.getHandle(execution.workflowId, execution.runId).result()) as PipelineResult;
        return { workflowId: execution.workflowId, runId: execution.runId, result };
      }
      return undefined;
    },
  };
}
