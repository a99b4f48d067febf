/**
 * The activity boundary, where retryability is decided: an error whose kind (DmlError, src/errors.ts) says
 * retrying cannot help — bad data, bad input, a LightGBM error, a diverged training, bad plot input, an MLflow 4xx
 * other than throttling — becomes a non-retryable ApplicationFailure of the same type name (the workflow fails at
 * once with a message naming file/row/field); everything else is retried by the stage's policy.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DmlError } from '../errors';

/** Storage that is misconfigured (not writable, a file where a folder should be) will not heal on retry. */
const STORAGE_CONFIG_ERRORS = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR'];

export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && STORAGE_CONFIG_ERRORS.includes(code)) {
    const file = (err as NodeJS.ErrnoException).path;
    return ApplicationFailure.create({
      type: 'StorageError',
      message: `data root not usable${file ? ` at ${file}` : ''}: ${(err as Error).message} (check DML_DATA_ROOT and its permissions)`,
      nonRetryable: true,
      cause: err as Error,
    });
  }
  if (err instanceof DmlError && !err.retryable) {
    return ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true, cause: err });
  }
  return err;
}

/** Wraps every activity of an object so thrown errors pass through toActivityFailure. */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = {
      // A named function keeps stack traces readable in the Temporal UI.
      [name]: async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          throw toActivityFailure(err);
        }
      },
    }[name];
  }
  return wrapped as T;
}
