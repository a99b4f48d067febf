import { chunkLogBatch, LOG_BATCH_LIMITS } from '../../src/mlflow/batch';

describe('log-batch chunking', () => {
  it('keeps every request within MLflow limits and loses nothing', () => {
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i, step: i, timestamp: 0 }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: 'x' }));
    const requests = chunkLogBatch({ metrics, params, tags });
    for (const r of requests) {
      expect(r.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(r.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(r.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
      expect(r.metrics.length + r.params.length + r.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.total);
    }
    expect(requests.flatMap((r) => r.metrics)).toEqual(metrics);
    expect(requests.flatMap((r) => r.params)).toEqual(params);
    expect(requests.flatMap((r) => r.tags)).toEqual(tags);
  });
  it('sends nothing for an empty batch', () => {
    expect(chunkLogBatch({ metrics: [], params: [], tags: [] })).toEqual([]);
  });
});
