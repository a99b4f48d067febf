/**
 * Per-stage activity options. Stages are routed by task queue: model training that wants a GPU goes to the
 * `gpu` queue, everything else (data prep, LightGBM, evaluation, registration, MLflow bookkeeping) to `cpu`.
 */
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';

// No list of non-retryable error names here: activities report failures that retrying cannot fix as
// non-retryable ApplicationFailures, decided by the error's kind (src/errors.ts, src/activities/failures.ts).

export const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // MLflow may be briefly down (restart, deploy): keep trying with backoff rather than fail the training.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 30 },
};

/** BOOKKEEPING as a local activity: the same timeout and retries (retries past a minute wait on a workflow timer). */
export const BOOKKEEPING_LOCAL: LocalActivityOptions = {
  startToCloseTimeout: BOOKKEEPING.startToCloseTimeout,
  retry: BOOKKEEPING.retry,
};

export const PREPARE: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
};

export const TRAIN: ActivityOptions = {
  startToCloseTimeout: '12 hours',
  // Training heartbeats every 2 s from the activity's own thread (the model trains in a worker thread), so a
  // crashed worker is noticed within this window and the retry resumes from the last checkpoint.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  // On cancel, wait until training has really stopped, so nothing is logged after the run is closed as KILLED.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

export const EVALUATE: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
};

export const REGISTER: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 30 },
};
