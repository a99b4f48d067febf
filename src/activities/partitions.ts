/**
 * A partition trains once per schedule: a scheduled or backfilled run asks Temporal's visibility store whether
 * another run of the same schedule (TemporalScheduledById) and partition (DmlPartition) already completed, and
 * takes its result. Scoped by schedule, so two schedules of one pipeline with different inputs stay independent.
 */
import { Context } from '@temporalio/activity';
import type { FinishedPartition, PipelineInput, PipelineName, PipelineResult } from '../workflows/shared/types';

export interface FinishedPartitionRequest {
  pipeline: PipelineName;
  partition: string;
  scheduleId: string;
  /** The asking run, never its own answer (a backfill reuses the workflow id of the scheduled time). */
  runId: string;
}

/** A string literal of Temporal's SQL-like visibility syntax. */
const quoted = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function finishedPartitionQuery(req: Omit<FinishedPartitionRequest, 'runId'>): string {
  return `TemporalScheduledById = ${quoted(req.scheduleId)} AND DmlPartition = ${quoted(`${req.pipeline}:${req.partition}`)} AND ExecutionStatus = "Completed"`;
}

export function partitionActivities() {
  return {
    async findFinishedPartition(req: FinishedPartitionRequest): Promise<FinishedPartition | undefined> {
      const client = Context.current().client;
      for await (const execution of client.workflow.list({ query: finishedPartitionQuery(req) })) {
        if (execution.runId === req.runId) continue;
        const handle = client.workflow.getHandle<(input?: PipelineInput) => Promise<PipelineResult>>(execution.workflowId, execution.runId);
        const result = await handle.result();
        return { workflowId: execution.workflowId, runId: execution.runId, result };
      }
      return undefined;
    },
  };
}
