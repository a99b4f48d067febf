/** The MLflow REST client against the real tracking server (started by scripts/test.sh). */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { MlflowClient, MlflowError } from '../../src/mlflow';

describe('MlflowClient', () => {
  const mlflow = new MlflowClient(loadConfig().mlflow);
  const suffix = randomUUID().slice(0, 8);

  it('gets or creates an experiment idempotently', async () => {
    const [a, b] = await Promise.all([mlflow.getOrCreateExperiment(`client-test-${suffix}`), mlflow.getOrCreateExperiment(`client-test-${suffix}`)]);
    expect(a).toBe(b);
    expect(await mlflow.getExperimentByName(`missing-${suffix}`)).toBeUndefined();
  });

  it('logs params, many metrics in batches, tags, and terminates a run', async () => {
    const experimentId = await mlflow.getOrCreateExperiment(`client-test-${suffix}`);
    const run = await mlflow.createRun(experimentId, 'batch', { origin: 'test' });
    const metrics = Array.from({ length: 1500 }, (_, i) => ({ key: 'loss', value: 1 / (i + 1), step: i, timestamp: 1_700_000_000_000 + i }));
    await mlflow.logBatch(run.info.run_id, { params: { lr: 0.01, layers: 2 }, metrics, tags: { note: 'x' } });
    // Re-logging identical points (a retried activity) adds nothing.
    await mlflow.logBatch(run.info.run_id, { metrics: metrics.slice(0, 10) });
    await mlflow.setTerminated(run.info.run_id, 'FINISHED');
    const fetched = await mlflow.getRun(run.info.run_id);
    expect(fetched.info.status).toBe('FINISHED');
    expect(fetched.data.params).toEqual(expect.arrayContaining([{ key: 'lr', value: '0.01' }]));
    expect(fetched.data.tags).toEqual(expect.arrayContaining([{ key: 'note', value: 'x' }, { key: 'origin', value: 'test' }]));
    expect(await mlflow.getMetricHistory(run.info.run_id, 'loss')).toHaveLength(1500);
  });

  it('surfaces MLflow error codes', async () => {
    const experimentId = await mlflow.getOrCreateExperiment(`client-test-${suffix}`);
    const run = await mlflow.createRun(experimentId, 'params');
    await mlflow.logBatch(run.info.run_id, { params: { lr: 0.01 } });
    const err = await mlflow.logBatch(run.info.run_id, { params: { lr: 0.02 } }).catch((e) => e);
    expect(err).toBeInstanceOf(MlflowError);
    expect(err.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(err.retryable).toBe(false);
    const missing = await mlflow.getRun('0'.repeat(32)).catch((e) => e);
    expect(missing.errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('uploads and downloads artifacts through the proxy, refusing paths that escape the run', async () => {
    const experimentId = await mlflow.getOrCreateExperiment(`client-test-${suffix}`);
    const run = await mlflow.createRun(experimentId, 'artifacts');
    expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
    const bytes = Buffer.from([0, 1, 2, 255]);
    await mlflow.uploadArtifact(run.info.artifact_uri, 'model/weights.bin', bytes);
    expect(await mlflow.downloadArtifact(run.info.artifact_uri, 'model/weights.bin')).toEqual(bytes);
    expect((await mlflow.listArtifacts(run.info.run_id, 'model')).map((f) => f.path)).toEqual(['model/weights.bin']);
    expect(() => mlflow.artifactProxyPath(run.info.artifact_uri, '../other/x')).toThrow(/must stay inside the run/);
  });

  it('registers versions and moves aliases', async () => {
    const experimentId = await mlflow.getOrCreateExperiment(`client-test-${suffix}`);
    const run = await mlflow.createRun(experimentId, 'registry');
    const name = `client-test-model-${suffix}`;
    await mlflow.getOrCreateRegisteredModel(name);
    await mlflow.getOrCreateRegisteredModel(name);
    const v1 = await mlflow.createModelVersion(name, `${run.info.artifact_uri}/model`, run.info.run_id);
    const v2 = await mlflow.createModelVersion(name, `${run.info.artifact_uri}/model`, run.info.run_id);
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect(await mlflow.getVersionByAlias(name, 'champion')).toBeUndefined();
    await mlflow.setAlias(name, 'champion', '1');
    expect((await mlflow.getVersionByAlias(name, 'champion'))?.version).toBe('1');
    await mlflow.setAlias(name, 'champion', '2');
    expect((await mlflow.getVersionByAlias(name, 'champion'))?.version).toBe('2');
    expect((await mlflow.searchModelVersions(`name = '${name}'`)).map((v) => v.version).sort()).toEqual(['1', '2']);
  });
});
