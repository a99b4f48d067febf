/**
 * "No activity lost", judged from a workflow's history: every scheduled activity ended completed (retries happen
 * inside one scheduled activity, so a completion after retries is one completed activity); one that failed, timed
 * out or was cancelled counts as lost unless the workflow scheduled the same activity type again later and that
 * one completed. Also counts the extra attempts, i.e. how many activity executions the faults actually hit.
 */
import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

export interface ActivityAudit {
  scheduled: number;
  completed: number;
  /** Activities that needed more than one attempt, and the attempts beyond the first. */
  retried: number;
  extraAttempts: number;
  /** `<activity type> (event <id>): <how it ended>` for each lost one. */
  lost: string[];
}

type Outcome = 'completed' | 'failed' | 'timed out' | 'cancelled' | 'never closed';

export function auditActivities(events: Event[]): ActivityAudit {
  const scheduled = new Map<string, { type: string; outcome: Outcome; attempt: number }>();
  const closeOf = (id: unknown, outcome: Outcome) => {
    const activity = scheduled.get(String(id));
    if (activity) activity.outcome = outcome;
  };
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', outcome: 'never closed', attempt: 1 });
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const activity = scheduled.get(String(started.scheduledEventId));
      if (activity) activity.attempt = started.attempt ?? 1;
    }
    closeOf(e.activityTaskCompletedEventAttributes?.scheduledEventId, 'completed');
    closeOf(e.activityTaskFailedEventAttributes?.scheduledEventId, 'failed');
    closeOf(e.activityTaskTimedOutEventAttributes?.scheduledEventId, 'timed out');
    closeOf(e.activityTaskCanceledEventAttributes?.scheduledEventId, 'cancelled');
  }
  const entries = [...scheduled.entries()];
  const completedLater = (index: number, type: string) => entries.slice(index + 1).some(([, a]) => a.type === type && a.outcome === 'completed');
  const lost = entries.flatMap(([id, a], i) => (a.outcome === 'completed' || completedLater(i, a.type) ? [] : [`${a.type} (event ${id}): ${a.outcome}`]));
  const retried = entries.filter(([, a]) => a.attempt > 1);
  return {
    scheduled: entries.length,
    completed: entries.filter(([, a]) => a.outcome === 'completed').length,
    retried: retried.length,
    extraAttempts: retried.reduce((sum, [, a]) => sum + a.attempt - 1, 0),
    lost,
  };
}
