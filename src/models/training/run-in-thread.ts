/** Runs a ThreadJob in a worker thread, forwarding its messages, and stops it at once when aborted. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ThreadJob, ThreadMessage } from './protocol';

export class TrainingThreadError extends Error {
  constructor(message: string, readonly originalName: string) {
    super(message);
    // Keep the thread's error type (e.g. DataError) so non-retryable classification still works.
    this.name = originalName;
  }
}

export function runInThread(
  job: ThreadJob,
  onMessage: (m: ThreadMessage) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<ThreadMessage[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'thread-entry.js'), { workerData: job });
    const messages: ThreadMessage[] = [];
    let settled = false;
    // Handlers may be async (MLflow logging): process messages in order.
    let chain = Promise.resolve();
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(messages);
    };
    const onAbort = () => {
      void worker.terminate();
      finish(signal?.reason ?? new Error('training aborted'));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);

    worker.on('message', (m: ThreadMessage) => {
      messages.push(m);
      chain = chain
        .then(() => onMessage(m))
        .then(() => {
          if (m.type === 'error') finish(new TrainingThreadError(m.message, m.name));
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
