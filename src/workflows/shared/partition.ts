/**
 * A scheduled run trains on the data of its scheduled time, not of the wall clock: Temporal stamps every
 * workflow a schedule starts (including backfills) with `TemporalScheduledStartTime`, and this turns it into
 * the pipeline's data partition when the input names none.
 */
import { workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { PipelineInput, PipelineName, ValidInput } from './types';

export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const DAY_MS = 24 * 60 * 60 * 1000;

export function withScheduledPartition(pipeline: PipelineName, input: ValidInput): ValidInput {
  if (input.window || input.trainingDate) return input;
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
  if (!scheduled) return input;
  switch (pipeline) {
    // Power trains for the scheduled (UTC) date: all data before that day.
    case 'power':
      return { ...input, trainingDate: scheduled.toISOString().slice(0, 10) };
    // Tick trains on the ticks of the `lookbackDays` (default 1) ending at the scheduled time.
    case 'tick':
      return { ...input, window: lookbackWindow(scheduled, (input as ValidInput<'tick'>).lookbackDays ?? 1) };
    default:
      return input;
  }
}

/** The `days` × 24 hours ending at `end`, as the input's ISO window. */
export function lookbackWindow(end: Date, days: number): { start: string; end: string } {
  return { start: new Date(end.getTime() - days * DAY_MS).toISOString(), end: end.toISOString() };
}

export const SCHEDULED_BY_ID = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** The schedule that started this run (scheduled, triggered or backfilled); undefined when a client started it. */
export function scheduleIdOfRun(): string | undefined {
  return workflowInfo().typedSearchAttributes.get(SCHEDULED_BY_ID);
}

/** A short label of the data partition, for the result, MLflow and the progress query. */
export function partitionLabel(input: PipelineInput): string | undefined {
  if (input.trainingDate) return input.trainingDate;
  if (input.window) return `${input.window.start}/${input.window.end}`;
  return undefined;
}
