import { NonRetryableError, RetryableError } from '../errors';

/** A LightGBM C API call returned -1; carries the function name and LightGBM's own message (LGBM_GetLastError). */
export class LightgbmError extends NonRetryableError {
  constructor(
    /** The C function that failed, e.g. `LGBM_BoosterCreate`. */
    readonly functionName: string,
    /** LightGBM's message, as LGBM_GetLastError returned it. */
    readonly lightgbmMessage: string,
  ) {
    super(`${functionName} failed: ${lightgbmMessage}`);
    this.name = 'LightgbmError';
  }
}

/**
 * The LightGBM worker thread died (exited, crashed in JavaScript, ran out of its memory limit) with this call
 * pending or in flight. Retryable: the library starts a fresh thread for the next call, so a retried activity
 * trains again (a LightGBM C error is a LightgbmError instead, and not retried).
 */
export class LightgbmWorkerDiedError extends RetryableError {
  name = 'LightgbmWorkerDiedError';
}
