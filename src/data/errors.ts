import { NonRetryableError } from '../errors';

/**
 * Bad input: retrying cannot fix it. Activities turn it into a non-retryable ApplicationFailure
 * whose message names the file and the place (offset, line, field) where the data went wrong.
 */
export class DataError extends NonRetryableError {
  constructor(
    message: string,
    readonly file?: string,
    readonly location?: string,
  ) {
    super([file, location].filter(Boolean).join(' ') + (file || location ? ': ' : '') + message);
    this.name = 'DataError';
  }
}
