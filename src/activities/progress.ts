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

/**
 * How often training tells its workflow mid-epoch. Each report is one signal (about four history events), so
 * 15 s keeps even a 12-hour training far below Temporal's 51,200-event history limit while the Web UI stays live.
 */
export const PROGRESS_REPORT_EVERY_MS = 15_000;
/**
 * The least time between two reports, epoch ends included: on tiny data an epoch takes about a second, and one
 * signal per epoch filled a history with 808 events in 8 minutes. The training's last step is always reported.
 */
export const PROGRESS_MIN_GAP_MS = 5_000;

/** Steps (batches or boosting rounds) per second between two reports, and the seconds left at that pace. */
export function speedBetween(prev: { done: number; at: number } | undefined, now: { done: number; at: number }, total: number): { stepsPerSec: number; etaSec: number } | undefined {
  if (!prev || now.done <= prev.done || now.at <= prev.at) return undefined;
  const stepsPerSec = (now.done - prev.done) / ((now.at - prev.at) / 1000);
  return { stepsPerSec, etaSec: Math.max(0, total - now.done) / stepsPerSec };
}

/**
 * Sends training progress to the workflow at most every `everyMs`; a forced update (an epoch's end) goes sooner, but
 * never within `minGapMs` of the previous one unless it is the training's last step. What is held back is superseded
 * by the next report, or sent by `flush()`. Each report carries the throughput and ETA since the previous one.
 */
export class ProgressReporter {
  private last?: { done: number; at: number };
  private sentAt: number;
  /** The newest update held back by the interval, sent by `flush()`. */
  private held?: { progress: TrainingProgress; done: number; total: number };

  constructor(
    private readonly unit: 'samples' | 'rounds',
    /** Samples per step: the batch size for tfjs, 1 for boosting rounds. */
    private readonly perStep: number,
    private readonly everyMs = PROGRESS_REPORT_EVERY_MS,
    private readonly signal: (p: TrainingProgress) => Promise<void> = reportTrainingProgress,
    private readonly now: () => number = Date.now,
    private readonly minGapMs = PROGRESS_MIN_GAP_MS,
  ) {
    this.sentAt = now();
  }

  /** `done` and `total` count steps over the whole training. */
  async update(progress: TrainingProgress, done: number, total: number, force = false): Promise<void> {
    const at = this.now();
    this.held = { progress, done, total };
    // The first step only starts the clock: the time before it went into loading data and building the model.
    if (!this.last && !force) {
      this.last = { done, at };
      return;
    }
    const finished = done >= total;
    if (!finished && at - this.sentAt < (force ? this.minGapMs : this.everyMs)) return;
    await this.send(progress, done, total, at);
  }

  /** Sends the update the interval held back, if any: the training's last state (e.g. after early stopping). */
  async flush(): Promise<void> {
    if (this.held) await this.send(this.held.progress, this.held.done, this.held.total, this.now());
  }

  private async send(progress: TrainingProgress, done: number, total: number, at: number): Promise<void> {
    const speed = speedBetween(this.last, { done, at }, total);
    this.last = { done, at };
    this.sentAt = at;
    this.held = undefined;
    const measured = speed ? { throughput: { perSec: speed.stepsPerSec * this.perStep, unit: this.unit }, etaSec: speed.etaSec } : {};
    await this.signal({ ...progress, ...measured, at });
  }
}
