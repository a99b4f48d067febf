import type { temporal } from '@temporalio/proto';
import { auditActivities } from '../../bench/cluster/activity-audit';

// Ids are Long in real histories; the audit reads them with String(), which numbers satisfy as well.
type Event = temporal.api.history.v1.IHistoryEvent;

const scheduled = (eventId: number, type: string): Event => ({ eventId, activityTaskScheduledEventAttributes: { activityType: { name: type } } } as unknown as Event);
const started = (eventId: number, scheduledEventId: number, attempt: number): Event => ({ eventId, activityTaskStartedEventAttributes: { scheduledEventId, attempt } } as unknown as Event);
const completed = (eventId: number, scheduledEventId: number): Event => ({ eventId, activityTaskCompletedEventAttributes: { scheduledEventId } } as unknown as Event);
const timedOut = (eventId: number, scheduledEventId: number): Event => ({ eventId, activityTaskTimedOutEventAttributes: { scheduledEventId } } as unknown as Event);

describe('auditActivities', () => {
  it('counts a completion after retries as one completed activity, with its extra attempts', () => {
    const audit = auditActivities([scheduled(5, 'prepare'), started(6, 5, 1), completed(7, 5), scheduled(8, 'train'), started(9, 8, 3), completed(10, 8)]);
    expect(audit).toEqual({ scheduled: 2, completed: 2, retried: 1, extraAttempts: 2, lost: [] });
  });

  it('reports a timed-out activity that nothing completed later, and one never closed', () => {
    const audit = auditActivities([scheduled(5, 'train'), started(6, 5, 4), timedOut(7, 5), scheduled(8, 'evaluate')]);
    expect(audit.lost).toEqual(['train (event 5): timed out', 'evaluate (event 8): never closed']);
    expect(audit.completed).toBe(0);
  });

  it('forgives a timeout when the workflow scheduled the same activity again and that one completed', () => {
    const audit = auditActivities([scheduled(5, 'train'), timedOut(6, 5), scheduled(7, 'train'), completed(8, 7)]);
    expect(audit.lost).toEqual([]);
    expect(audit).toMatchObject({ scheduled: 2, completed: 1 });
  });

  it('does not let a later completion of another activity type excuse a timeout', () => {
    const audit = auditActivities([scheduled(5, 'train'), timedOut(6, 5), scheduled(7, 'evaluate'), completed(8, 7)]);
    expect(audit.lost).toEqual(['train (event 5): timed out']);
  });
});
