/**
 * Applies the schedule config to the Temporal server idempotently: creates missing schedules, puts back any that
 * differ from their entry (changed in the file, or paused, edited or deleted by hand with the `temporal` CLI or the
 * UI), reports the rest as unchanged and, with `prune`, deletes durable-ml schedules the config no longer names.
 */
import { createHash } from 'node:crypto';
import { Client, ScheduleDescription, ScheduleNotFoundError, ScheduleOptions, ScheduleOptionsAction, ScheduleOverlapPolicy, WorkflowStartOptions } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import type { Duration } from '@temporalio/common';
import { canonicalJson, PIPELINE_WORKFLOWS, PipelineName } from '../client';
import { CATALOG } from '../pipelines';
import type { TaskQueues } from '../workflows/shared/task-queues';
import type { PipelineInput } from '../workflows/shared/types';
import type { ScheduleConfig, ScheduleEntry } from './config';
import { describeRun } from '../workflows/shared/describe';
import { parsePipelineInput } from '../workflows/shared/input-schema';

export const MANAGED_BY = 'durable-ml';
const CONFIG_HASH_MEMO = 'dmlScheduleConfig';
/**
 * The server stores cron strings as structured calendars, so a described spec cannot be compared with the entry's
 * cron directly: apply records a hash of the spec as the server described it right after setting it.
 */
const SPEC_HASH_MEMO = 'dmlScheduleSpec';

export type ApplyAction = 'created' | 'updated' | 'unchanged' | 'deleted';

export interface ApplyResult {
  id: string;
  action: ApplyAction;
  /** For `updated`: what differed from the config (e.g. `state.paused`, `spec`, `action.args`). */
  drift?: string[];
}

const hash = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);

export function entryHash(entry: ScheduleEntry, queues: TaskQueues): string {
  // The Web UI description is part of what is applied: schedules created before it existed get it on the next apply.
  // The priority comes from the catalog, not the entry: a change there must reach the schedule too.
  return hash({ entry, queues, ui: scheduledRunDescription(entry, queues), priority: CATALOG[entry.pipeline].priority });
}

/** Summary and details of the runs the schedule starts; their partition is the scheduled time, known at run time. */
function scheduledRunDescription(entry: ScheduleEntry, queues: TaskQueues) {
  const pipeline = entry.pipeline as PipelineName;
  return describeRun(pipeline, parsePipelineInput(pipeline, { ...entry.input, taskQueues: queues }), { scheduled: true });
}

/** What Temporal needs to run the entry: spec, the workflow to start (with config defaults as input), policies. */
export function scheduleOptions(entry: ScheduleEntry, queues: TaskQueues) {
  const input: PipelineInput = { ...entry.input, taskQueues: queues } as PipelineInput;
  const description = scheduledRunDescription(entry, queues);
  const action = {
      type: 'startWorkflow' as const,
      workflowType: PIPELINE_WORKFLOWS[entry.pipeline as PipelineName],
      // Temporal appends the scheduled time, e.g. power-daily-2026-11-23T01:00:00Z: one id per interval.
      workflowId: entry.id,
      taskQueue: queues.cpu,
      args: [input] as [PipelineInput],
      memo: { [CONFIG_HASH_MEMO]: entryHash(entry, queues), schedule: entry.id } as Record<string, unknown>,
      staticSummary: description.summary,
      staticDetails: description.details,
      // SDK 1.24 encodes a schedule action's priority (and describes it back) but leaves it out of the options type;
      // without it, scheduled runs would start at the default priority while client starts carry the pipeline's.
      priority: { priorityKey: CATALOG[entry.pipeline].priority },
  } satisfies ScheduleOptionsAction & Pick<WorkflowStartOptions, 'priority'>;
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
  } satisfies Omit<ScheduleOptions, 'action'> & { action: ScheduleOptionsAction };
}

type DesiredSchedule = ReturnType<typeof scheduleOptions>;

/** The fields of the described schedule that differ from the desired one; empty when the server matches the config. */
export function scheduleDrift(current: ScheduleDescription, desired: DesiredSchedule): string[] {
  const drift: string[] = [];
  const check = (field: string, actual: unknown, wanted: unknown) => {
    // Through JSON first: keys with undefined values are absent on the server too.
    const same = (v: unknown) => canonicalJson(JSON.parse(JSON.stringify(v ?? null)));
    if (same(actual) !== same(wanted)) drift.push(field);
  };
  const action = current.action.type === 'startWorkflow' ? current.action : undefined;
  check('spec', hash(current.spec), action?.memo?.[SPEC_HASH_MEMO]);
  check('spec.timezone', current.spec.timezone, desired.spec.timezone);
  check('action.type', current.action.type, desired.action.type);
  check('action.workflowType', action?.workflowType, desired.action.workflowType.name);
  check('action.taskQueue', action?.taskQueue, desired.action.taskQueue);
  check('action.workflowId', action?.workflowId, desired.action.workflowId);
  check('action.args', action?.args, desired.action.args);
  check('action.memo', { ...action?.memo, [SPEC_HASH_MEMO]: undefined }, desired.action.memo);
  check('policies.overlap', current.policies.overlap, desired.policies.overlap);
  check('policies.catchupWindow', current.policies.catchupWindow, msToNumber(desired.policies.catchupWindow));
  check('policies.pauseOnFailure', current.policies.pauseOnFailure, desired.policies.pauseOnFailure);
  check('state.paused', current.state.paused, desired.state.paused);
  check('state.note', current.state.note || undefined, desired.state.note);
  check('memo', current.memo, desired.memo);
  return drift;
}

/** Sets the schedule to the desired state, then records the spec as the server normalised it (see SPEC_HASH_MEMO). */
async function converge(client: Client, desired: DesiredSchedule, exists: boolean): Promise<void> {
  const handle = client.schedule.getHandle(desired.scheduleId);
  const { spec, action, policies, state } = desired;
  if (exists) await handle.update(() => ({ spec, action, policies, state }));
  else await client.schedule.create(desired);
  const described = await handle.describe();
  const memo = { ...action.memo, [SPEC_HASH_MEMO]: hash(described.spec) };
  await handle.update(() => ({ spec, action: { ...action, memo }, policies, state }));
}

async function describeIfExists(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(id).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

export async function applySchedules(client: Client, config: ScheduleConfig, queues: TaskQueues, opts: { prune?: boolean } = {}): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (const entry of config.schedules) {
    const desired = scheduleOptions(entry, queues);
    const current = await describeIfExists(client, entry.id);
    if (!current) {
      await converge(client, desired, false);
      results.push({ id: entry.id, action: 'created' });
      continue;
    }
    const drift = scheduleDrift(current, desired);
    if (!drift.length) {
      results.push({ id: entry.id, action: 'unchanged' });
    } else if (drift.includes('memo')) {
      // The schedule memo (who manages it, which pipeline) cannot be updated in place: recreate the schedule.
      await client.schedule.getHandle(entry.id).delete();
      await converge(client, desired, false);
      results.push({ id: entry.id, action: 'updated', drift });
    } else {
      await converge(client, desired, true);
      results.push({ id: entry.id, action: 'updated', drift });
    }
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
