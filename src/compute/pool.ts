/**
 * A pool of compute threads (piscina) for the CPU-bound parts of activities (./tasks.ts). Without it a power
 * prepare or a chart render holds the worker's only event loop for hundreds of milliseconds at a time: heartbeats,
 * polls and every other activity's MLflow calls wait, and one worker process uses one core however many it has.
 * `threads: 0` runs the tasks inline on the event loop (the behaviour before the pool; for comparisons).
 */
import path from 'node:path';
import { Piscina } from 'piscina';
import { NonRetryableError, RetryableError } from '../errors';
import { DataError } from '../data/errors';
import { runTask, TASKS, type TaskArgs, type TaskName, type TaskOutcome, type TaskResult } from './tasks';

export interface ComputePool {
  /** Threads the pool may run (0: inline on the caller's event loop). */
  readonly threads: number;
  run<K extends TaskName>(name: K, ...args: TaskArgs<K>): Promise<TaskResult<K>>;
  /** Ends the threads (a worker's shutdown); a later `run` starts them again. */
  close(): Promise<void>;
}

/** A failure reported by value from a thread, rebuilt so retry decisions and failure types survive the crossing. */
function rebuild(failed: Extract<TaskOutcome<unknown>, { failed: unknown }>['failed']): Error {
  const err = failed.name === 'DataError' ? new DataError(failed.message) : failed.retryable ? new RetryableError(failed.message) : new NonRetryableError(failed.message);
  err.name = failed.name;
  if (failed.stack) err.stack = failed.stack;
  return err;
}

/** Buffers come back from a thread as plain Uint8Arrays (structured clone); callers expect the Buffer they would get inline. */
function asReturned<T>(value: T): T {
  return (value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value) as T;
}

export function createComputePool(threads: number): ComputePool {
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`compute threads must be a whole number >= 0, got ${threads}`);
  let pool: Piscina | undefined;
  return {
    threads,
    async run(name, ...args) {
      if (threads === 0) return TASKS[name](...(args as [never, never])) as never;
      // Started on first use, so processes and tests that never prepare or plot start no threads.
      pool ??= new Piscina({ filename: path.join(__dirname, 'tasks.js'), name: 'runTask', maxThreads: threads, minThreads: 1, idleTimeout: 60_000 });
      const outcome = (await pool.run({ name, args })) as Awaited<ReturnType<typeof runTask>>;
      if ('failed' in outcome) throw rebuild(outcome.failed);
      return asReturned(outcome.ok) as never;
    },
    async close() {
      const closing = pool;
      pool = undefined;
      await closing?.destroy();
    },
  };
}
