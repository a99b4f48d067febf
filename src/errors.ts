/**
 * Errors by kind: one base class decides whether retrying can help. The activity boundary
 * (src/activities/failures.ts) turns a non-retryable DmlError into a non-retryable ApplicationFailure of the
 * same type name, so no list of names has to be kept in step with the classes.
 */
export abstract class DmlError extends Error {
  /** Whether another attempt of the same activity can succeed. */
  abstract readonly retryable: boolean;
}

/** Bad data, bad input, a bad configuration, a diverged training: the same attempt fails the same way again. */
export class NonRetryableError extends DmlError {
  readonly retryable: boolean = false;
}

/** A transient fault (a crashed helper thread, a flaky dependency): the next attempt may succeed. */
export class RetryableError extends DmlError {
  readonly retryable: boolean = true;
}

/** Whether an error, or one a worker thread reported by value, may be retried (anything unclassified may). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof DmlError) return err.retryable;
  return true;
}
