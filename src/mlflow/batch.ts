import type { KeyValue, MetricValue } from './types';

/** MLflow's documented runs/log-batch limits. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

export interface LogBatchRequest {
  metrics: MetricValue[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** Splits metrics/params/tags into requests that each respect every log-batch limit. */
export function chunkLogBatch(all: LogBatchRequest): LogBatchRequest[] {
  const requests: LogBatchRequest[] = [];
  let current: LogBatchRequest = { metrics: [], params: [], tags: [] };
  const size = (r: LogBatchRequest) => r.metrics.length + r.params.length + r.tags.length;
  const push = <K extends keyof LogBatchRequest>(kind: K, item: LogBatchRequest[K][number]) => {
    if (current[kind].length >= LOG_BATCH_LIMITS[kind] || size(current) >= LOG_BATCH_LIMITS.total) {
      requests.push(current);
      current = { metrics: [], params: [], tags: [] };
    }
    (current[kind] as LogBatchRequest[K][number][]).push(item);
  };
  all.params.forEach((p) => push('params', p));
  all.tags.forEach((t) => push('tags', t));
  all.metrics.forEach((m) => push('metrics', m));
  if (size(current) > 0) requests.push(current);
  return requests;
}
