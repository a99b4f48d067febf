/**
 * The activities a workflow ran, in history order: scheduled activities and local activities (recorded as
 * `core_local_activity` markers, e.g. the MLflow run bookkeeping), with the summary the Web UI shows for each.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

export interface HistoryActivity {
  eventId: string;
  name: string;
  local: boolean;
  summary?: string;
}

type Event = temporal.api.history.v1.IHistoryEvent;

export function activitiesIn(events: Event[]): HistoryActivity[] {
  const summaryOf = (e: Event) => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : undefined);
  return events.flatMap((e): HistoryActivity[] => {
    const eventId = String(e.eventId);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) return [{ eventId, name: scheduled.activityType?.name ?? '?', local: false, summary: summaryOf(e) }];
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = defaultPayloadConverter.fromPayload<{ activity_type?: string; activityType?: string }>(marker.details!.data!.payloads![0]);
    return [{ eventId, name: data.activity_type ?? data.activityType ?? '?', local: true, summary: summaryOf(e) }];
  });
}
