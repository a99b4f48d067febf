/**
 * Heartbeats for long activities: each call records the latest progress, and a timer re-sends it so the
 * heartbeat never lapses between epochs (Temporal throttles the actual sends to 80% of heartbeatTimeout).
 */
import { Context } from '@temporalio/activity';

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
