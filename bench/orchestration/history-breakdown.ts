/**
 * Where a workflow's stage transitions spend their time, read from the server's own event timestamps: the medians,
 * over several runs, of the intervals between a task's scheduled, started and completed events.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { percentile } from './dev-server';

const E = temporal.api.enums.v1.EventType;

export interface StageBreakdown {
  workflowTaskScheduledToStarted: number;
  workflowTaskStartedToCompleted: number;
  activityScheduledToCompleted: number;
  /** The first workflow task creates the workflow in the worker's sandbox, so it is reported apart. */
  firstWorkflowTaskStartedToCompleted: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const ms = (e: HistoryEvent) => Number(e.eventTime!.seconds) * 1000 + (e.eventTime!.nanos ?? 0) / 1e6;

export async function stageBreakdown(client: Client, workflowIds: string[]): Promise<StageBreakdown> {
  const wftQueued: number[] = [];
  const wftRunning: number[] = [];
  const firstWft: number[] = [];
  const activity: number[] = [];
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const at = new Map(events.map((e) => [Number(e.eventId), ms(e)]));
    let firstSeen = false;
    for (const e of events) {
      if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        wftQueued.push(ms(e) - at.get(Number(e.workflowTaskStartedEventAttributes!.scheduledEventId))!);
      } else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        const running = ms(e) - at.get(Number(e.workflowTaskCompletedEventAttributes!.startedEventId))!;
        if (firstSeen) wftRunning.push(running);
        else firstWft.push(running);
        firstSeen = true;
      } else if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        activity.push(ms(e) - at.get(Number(e.activityTaskCompletedEventAttributes!.scheduledEventId))!);
      }
    }
  }
  return {
    workflowTaskScheduledToStarted: percentile(wftQueued, 50),
    workflowTaskStartedToCompleted: percentile(wftRunning, 50),
    activityScheduledToCompleted: percentile(activity, 50),
    firstWorkflowTaskStartedToCompleted: percentile(firstWft, 50),
  };
}
