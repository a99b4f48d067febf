/**
 * How the CLI fails: expected problems (bad usage, unreachable services, missing resources) become one clear
 * message and an exit code; only unexpected errors show a stack, and only with DML_DEBUG=1.
 */
import { NETWORK_ERROR_CODES } from '../network-errors';
import { ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { MlflowError } from '../mlflow/errors';
import { InvalidInputError } from '../workflows/shared/input-schema';
import type { AppConfig } from '../config';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An expected failure: the message is the whole story. */
export class CliError extends Error {
  name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** Bad arguments: exit code 2, like commander's own usage errors. */
export class UsageError extends CliError {
  name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

const STACK_HINT = 'Start the local stack with `bash scripts/stack.sh start`';
/** MlflowError's code for a request that got no answer at all, beside the system's own network codes. */
const unreachable = (code: string) => NETWORK_ERROR_CODES.has(code) || code === 'NETWORK_ERROR';

export function temporalUnreachable(config: AppConfig, err: unknown): CliError {
  const why = err instanceof Error ? err.message : String(err);
  return new CliError(
    `cannot connect to Temporal at ${config.temporal.address} (namespace ${config.temporal.namespace}): ${why}\n` +
      `${STACK_HINT}, or point TEMPORAL_ADDRESS at a running server.` +
      // grpc-js reports a refused certificate only as a connect timeout: name the likely cause.
      (config.temporal.tls && !config.temporal.tls.disabled
        ? '\nTLS is on: check that the server certificate is signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH (or the profile\'s server_ca_cert_path) and matches TEMPORAL_TLS_SERVER_NAME.'
        : ''),
  );
}

/** Turns any error into the message and exit code to show; `config` names the addresses in connection errors. */
export function explain(err: unknown, config?: AppConfig): { message: string; exitCode: number; stack?: string } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  // Input the workflow would refuse (e.g. a request id too long for a workflow id): a usage error, not a crash.
  if (err instanceof InvalidInputError) return { message: err.message, exitCode: EXIT_USAGE };
  if (err instanceof MlflowError && unreachable(err.errorCode)) {
    const uri = config?.mlflow.trackingUri ?? 'MLFLOW_TRACKING_URI';
    return { message: `cannot reach MLflow at ${uri} (${err.errorCode}).\n${STACK_HINT}, or point MLFLOW_TRACKING_URI at a running server.`, exitCode: EXIT_FAILURE };
  }
  if (err instanceof MlflowError) return { message: err.message, exitCode: EXIT_FAILURE };
  if (err instanceof WorkflowNotFoundError) return { message: `no workflow '${err.workflowId}' in this namespace`, exitCode: EXIT_FAILURE };
  if (err instanceof ScheduleNotFoundError) return { message: `no schedule '${err.scheduleId}'; see \`durable-ml schedules list\``, exitCode: EXIT_FAILURE };
  // gRPC status 14 (UNAVAILABLE): the server went away after we connected.
  if (config && (err as { code?: unknown })?.code === 14) return { message: temporalUnreachable(config, err).message, exitCode: EXIT_FAILURE };
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { message, exitCode: EXIT_FAILURE, stack: err instanceof Error ? err.stack : undefined };
}

const OUTCOME_OF: Record<string, string> = { TerminatedFailure: 'terminated', CancelledFailure: 'cancelled', TimeoutFailure: 'timed out' };

/** The innermost useful message of a Temporal failure chain (WorkflowFailedError → ActivityFailure → ApplicationFailure). */
export function failureMessage(err: unknown): string {
  const parts: string[] = [];
  let activity: string | undefined;
  let cur: unknown = err;
  while (cur instanceof Error) {
    const c = cur as Error & { activityType?: string; type?: string | null; cause?: unknown };
    if (c.name === 'ActivityFailure' && c.activityType) activity = c.activityType;
    // ApplicationFailures carry a type (e.g. InvalidInput); a terminated, cancelled or timed-out run says so by class.
    const label = c.type || OUTCOME_OF[c.name];
    parts.push(label ? `${label}: ${c.message}` : c.message);
    cur = c.cause;
  }
  const innermost = parts[parts.length - 1] ?? String(err);
  return activity ? `${innermost} (in activity ${activity})` : innermost;
}
