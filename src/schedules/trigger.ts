/**
 * Triggers a schedule and finds out what the trigger did. Temporal accepts a trigger and applies the overlap
 * policy later, inside the schedule: a trigger skipped because a run is still going changes nothing but a counter
 * (`numActionsSkippedOverlap`), so this watches the schedule until a run starts or that counter moves.
 */
import { Client, ScheduleOverlapPolicy } from '@temporalio/client';

/** The policies a trigger can use (the SDK's type also holds UNSPECIFIED, i.e. undefined). */
export type OverlapPolicy = Exclude<ScheduleOverlapPolicy, undefined>;

export type TriggerOutcome =
  | { kind: 'started'; workflowId: string; overlap: OverlapPolicy }
  | { kind: 'skipped' | 'pending'; overlap: OverlapPolicy; running: string[] };

/**
 * Triggers with the given overlap policy, or the schedule's own one (the SDK would otherwise send ALLOW_ALL,
 * which would run a second copy next to a running one although the schedule says SKIP).
 */
export async function triggerSchedule(client: Client, scheduleId: string, overlap?: ScheduleOverlapPolicy, waitMs = 10_000): Promise<TriggerOutcome> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = await handle.describe();
  const policy = overlap ?? before.policies.overlap ?? ScheduleOverlapPolicy.SKIP;
  const known = new Set(before.info.recentActions.map((a) => a.action.workflow.workflowId));
  await handle.trigger(policy);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = await handle.describe();
    // Trigger returns before the workflow exists; the schedule's recent actions show it a moment later.
    const started = now.info.recentActions.map((a) => a.action.workflow.workflowId).filter((w) => !known.has(w));
    if (started.length) return { kind: 'started', workflowId: started[started.length - 1], overlap: policy };
    const running = now.info.runningActions.map((a) => a.workflow.workflowId);
    if (now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap) return { kind: 'skipped', overlap: policy, running };
    // Buffered behind a running workflow (BUFFER_ONE/BUFFER_ALL), or the server has not acted yet.
    if (Date.now() >= deadline) return { kind: 'pending', overlap: policy, running };
    await new Promise((r) => setTimeout(r, 300));
  }
}
