/**
 * Runs a ThreadJob in a worker thread, forwarding its messages. When aborted, a training is asked to
 * checkpoint where it is and stop (it finishes the batch in flight); anything else, or a training that does
 * not answer within STOP_GRACE_MS, is terminated.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DmlError } from '../../errors';
import type { ThreadData, ThreadJob, ThreadMessage } from './protocol';

/** How long a training may take to finish its batch and write its checkpoint after a stop request. */
export const STOP_GRACE_MS = 8_000;

/** An error the training thread reported by value: its type name (e.g. DataError) and retryability survive the crossing. */
export class TrainingThreadError extends DmlError {
  constructor(
    message: string,
    readonly originalName: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = originalName;
  }
}

export function runInThread(
  job: ThreadJob,
  onMessage: (m: ThreadMessage) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<ThreadMessage[]> {
  return new Promise((resolve, reject) => {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(path.join(__dirname, 'thread-entry.js'), {
      workerData: { job, stop } satisfies ThreadData,
      // The environment as this module sees it (DML_TFJS_BACKEND picks the thread's backend); under jest that is the
      // test's sandboxed process.env, which Node's default (the real one) would miss.
      env: process.env,
    });
    const messages: ThreadMessage[] = [];
    let settled = false;
    let stopping = false;
    // Handlers may be async (MLflow logging): process messages in order.
    let chain = Promise.resolve();
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(messages);
    };
    const abortNow = () => {
      void worker.terminate();
      finish(signal?.reason ?? new Error('training aborted'));
    };
    const onAbort = () => {
      if (job.mode !== 'train') return abortNow();
      stopping = true;
      Atomics.store(stop, 0, 1);
      setTimeout(abortNow, STOP_GRACE_MS).unref();
    };
    if (signal?.aborted) return abortNow();
    signal?.addEventListener('abort', onAbort);

    worker.on('message', (m: ThreadMessage) => {
      messages.push(m);
      chain = chain
        // After a stop request only the stop's own outcome is handled: nothing more is logged for the attempt.
        .then(() => (!stopping || ['stopped', 'trained', 'error'].includes(m.type) ? onMessage(m) : undefined))
        .then(() => {
          if (m.type === 'stopped') abortNow();
          else if (m.type === 'error' && stopping) abortNow();
          else if (m.type === 'error') finish(new TrainingThreadError(m.message, m.name, m.retryable));
          else if (m.type === 'trained' || m.type === 'predicted') {
            finish();
            void worker.terminate();
          }
        })
        .catch((err) => {
          void worker.terminate();
          finish(err);
        });
    });
    worker.on('error', (err) => finish(err));
    worker.on('exit', (code) => {
      void chain.then(() => finish(new Error(`training thread exited with code ${code} before finishing`)));
    });
  });
}
