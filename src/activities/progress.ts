/**
 * Heartbeats for long activities: each call records the latest progress, and a timer re-sends it so the
 * heartbeat never lapses between epochs (Temporal throttles the actual sends to 80% of heartbeatTimeout).
 */
import { Context } from '@temporalio/activity';
import { trainingProgressSignal } from '../workflows/shared/pipeline';
import type { TrainingProgress } from '../workflows/shared/types';

export interface Heartbeater<T> {
  beat(details: T): void;
  /** Details heartbeated by the previous attempt of this activity, if it was retried. */
  readonly previous: T | undefined;
  stop(): void;
}

export function startHeartbeating<T>(initial: T, everyMs = 5_000): Heartbeater<T> {
  const ctx = Context.current();
  const previous = ctx.info.heartbeatDetails as T | undefined;
  let latest: T = previous ?? initial;
  ctx.heartbeat(latest);
  const timer = setInterval(() => ctx.heartbeat(latest), everyMs);
  return {
    previous,
    beat(details: T) {
      latest = details;
      ctx.heartbeat(details);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Also tells the workflow (signal `trainingProgress`), so its `progress` query shows the epoch and loss.
 * Best effort: a lost progress update must never fail a training.
 */
export async function reportTrainingProgress(progress: TrainingProgress): Promise<void> {
  const ctx = Context.current();
  const execution = ctx.info.workflowExecution;
  if (!execution) return;
  await ctx.client.workflow
    .getHandle(execution.workflowId, execution.runId)
    .signal(trainingProgressSignal, progress)
    .catch((err) => ctx.log.warn('could not report training progress to the workflow', { error: String(err) }));
}
