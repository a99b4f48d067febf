import { AxiosError } from 'axios';
import { DmlError } from '../errors';

/** An error answered by the MLflow server, carrying its `error_code` (e.g. RESOURCE_DOES_NOT_EXIST). */
export class MlflowError extends DmlError {
  constructor(
    message: string,
    readonly errorCode: string,
    readonly status: number | undefined,
    readonly endpoint: string,
  ) {
    super(`MLflow ${endpoint} failed: ${errorCode}${status ? ` (HTTP ${status})` : ''}: ${message}`);
    this.name = 'MlflowError';
  }

  /** Client errors other than throttling will not heal on retry (bad request, auth, missing resource). */
  get retryable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

export function toMlflowError(err: unknown, endpoint: string): unknown {
  if (!(err instanceof AxiosError)) return err;
  const data = err.response?.data as { error_code?: string; message?: string } | undefined;
  return new MlflowError(
    data?.message ?? err.message,
    data?.error_code ?? (err.response ? 'HTTP_ERROR' : err.code ?? 'NETWORK_ERROR'),
    err.response?.status,
    endpoint,
  );
}
