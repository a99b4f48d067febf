/**
 * Watches the worker's event loop. Heartbeats, polls and every activity's MLflow calls share it: a stall of a
 * few seconds makes heartbeats late (and the server may time the activity out), so stalls are logged as they
 * happen, and the longest one is reported when the worker stops (benchmarks read it from there).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { logger } from './logging';

/** A stall above this is logged at once: it is close to the 2 s heartbeat throttle the workers run with. */
const WARN_ABOVE_MS = 1000;
const WINDOW_MS = 10_000;

export interface EventLoopReport {
  /** The longest delay of the event loop since the watch began (ms). */
  longestStallMs: number;
  /** 99th percentile of the delays over the whole watch (ms). */
  p99Ms: number;
}

export function watchEventLoop(): { stop(): EventLoopReport } {
  const whole = monitorEventLoopDelay({ resolution: 10 });
  const window = monitorEventLoopDelay({ resolution: 10 });
  whole.enable();
  window.enable();
  const timer = setInterval(() => {
    const maxMs = window.max / 1e6;
    if (maxMs > WARN_ABOVE_MS) logger.warn('event loop stalled: heartbeats and polls were late', { longestStallMs: Math.round(maxMs), windowSec: WINDOW_MS / 1000 });
    window.reset();
  }, WINDOW_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      window.disable();
      whole.disable();
      return { longestStallMs: Math.round(whole.max / 1e6), p99Ms: Math.round(whole.percentile(99) / 1e6) };
    },
  };
}
