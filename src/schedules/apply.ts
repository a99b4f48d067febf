/**
 * Applies the schedule config to the Temporal server idempotently: creates missing schedules, updates changed
 * ones, reports unchanged ones and, with `prune`, deletes durable-ml schedules the config no longer names.
 * Each schedule carries a hash of its config entry, so "changed" means the entry changed, not a server-side
 * normalisation of the spec.
 */
import { createHash } from 'node:crypto';
import { Client, ScheduleNotFoundError, ScheduleOptions, ScheduleOptionsAction, ScheduleOverlapPolicy, WorkflowStartOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { WORKFLOW_TYPE } from '../client';
import { CATALOG } from '../pipelines';
import type { TaskQueues } from '../workflows/shared/task-queues';
import type { PipelineInput } from '../workflows/shared/types';
import type { ScheduleConfig, ScheduleEntry } from './config';

export const MANAGED_BY = 'durable-ml';
const CONFIG_HASH_MEMO = 'dmlScheduleConfig';

export type ApplyAction = 'created' | 'updated' | 'unchanged' | 'deleted';

export interface ApplyResult {
  id: string;
  action: ApplyAction;
}

/**
 * SDK 1.24 encodes a schedule action's `priority` (and describes it back) but leaves it out of the options type;
 * without it, scheduled runs would start at the default priority while client starts carry the pipeline's.
 */
type ActionWithPriority = ScheduleOptionsAction & Pick<WorkflowStartOptions, 'priority'>;

export function entryHash(entry: ScheduleEntry, queues: TaskQueues): string {
  // The priority comes from the catalog, not the entry: a change there must reach the schedule too.
  const priority = CATALOG[entry.pipeline].priority;
  return createHash('sha256').update(JSON.stringify({ entry, queues, priority })).digest('hex').slice(0, 16);
}

/** What Temporal needs to run the entry: spec, the workflow to start (with config defaults as input), policies. */
export function scheduleOptions(entry: ScheduleEntry, queues: TaskQueues): ScheduleOptions {
  const input: PipelineInput = { ...entry.input, taskQueues: queues };
  const action: ActionWithPriority = {
    type: 'startWorkflow',
    workflowType: WORKFLOW_TYPE[entry.pipeline],
    // Temporal appends the scheduled time, e.g. power-daily-2026-11-23T01:00:00Z: one id per interval.
    workflowId: entry.id,
    taskQueue: queues.cpu,
    args: [input],
    memo: { [CONFIG_HASH_MEMO]: entryHash(entry, queues), schedule: entry.id },
    priority: { priorityKey: CATALOG[entry.pipeline].priority },
  };
  return {
    scheduleId: entry.id,
    spec: { cronExpressions: entry.cron, timezone: entry.timeZone },
    action,
    policies: {
      overlap: ScheduleOverlapPolicy[entry.overlap],
      catchupWindow: entry.catchupWindow as Duration,
      pauseOnFailure: false,
    },
    state: { paused: entry.paused, note: entry.note },
    memo: { managedBy: MANAGED_BY, pipeline: entry.pipeline },
  };
}

export async function applySchedules(client: Client, config: ScheduleConfig, queues: TaskQueues, opts: { prune?: boolean } = {}): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const entry of config.schedules) {
    const desired = scheduleOptions(entry, queues);
    const handle = client.schedule.getHandle(entry.id);
    let current;
    try {
      current = await handle.describe();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    if (!current) {
      await client.schedule.create(desired);
      results.push({ id: entry.id, action: 'created' });
      continue;
    }
    const currentHash = current.action.type === 'startWorkflow' ? current.action.memo?.[CONFIG_HASH_MEMO] : undefined;
    if (currentHash === entryHash(entry, queues)) {
      results.push({ id: entry.id, action: 'unchanged' });
      continue;
    }
    await handle.update(() => ({ spec: desired.spec, action: desired.action, policies: desired.policies, state: { paused: entry.paused, note: entry.note } }));
    results.push({ id: entry.id, action: 'updated' });
  }
  if (opts.prune) {
    const wanted = new Set(config.schedules.map((s) => s.id));
    for await (const summary of client.schedule.list()) {
      if (summary.memo?.managedBy === MANAGED_BY && !wanted.has(summary.scheduleId)) {
        await client.schedule.getHandle(summary.scheduleId).delete();
        results.push({ id: summary.scheduleId, action: 'deleted' });
      }
    }
  }
  return results;
}

export interface BackfillRequest {
  scheduleId: string;
  from: Date;
  to: Date;
  /** ALLOW_ALL starts every missed interval at once; BUFFER_ALL runs them one after another. Neither drops runs. */
  overlap?: 'ALLOW_ALL' | 'BUFFER_ALL';
}

/** One run per scheduled time in [from, to), each with its own scheduled time and so its own data window. */
export async function backfillSchedule(client: Client, req: BackfillRequest): Promise<void> {
  await client.schedule.getHandle(req.scheduleId).backfill([
    { start: req.from, end: req.to, overlap: ScheduleOverlapPolicy[req.overlap ?? 'BUFFER_ALL'] },
  ]);
}
