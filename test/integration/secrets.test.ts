/**
 * MLflow credentials come from the workers' environment only: after a full run they appear nowhere in the
 * workflow history, memo, search attributes, MLflow params/tags, or the worker processes' logs.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PROJECT_ROOT } from '../../src/config';
import { MlflowClient } from '../../src/mlflow';
import { pipelineClient, testConfig } from '../helpers/stack';
import { startWorkerProcess, workerEnv, WorkerProcess } from '../helpers/worker-process';

it('credentials never reach histories, memos, MLflow or logs', async () => {
  const config = testConfig();
  const password = `pw-${randomUUID()}`;
  const token = `tok-${randomUUID()}`;
  const secrets = [password, token, Buffer.from(`dml-user:${password}`).toString('base64')];
  // The local MLflow server runs without auth and ignores the Authorization header the client then sends.
  const env = { ...workerEnv(config), MLFLOW_TRACKING_USERNAME: 'dml-user', MLFLOW_TRACKING_PASSWORD: password, MLFLOW_TRACKING_TOKEN: token, DML_LOG_LEVEL: 'DEBUG' };
  const workers: WorkerProcess[] = [startWorkerProcess('cpu', env), startWorkerProcess('gpu', env)];
  const client = await pipelineClient(config);
  try {
    const handle = await client.start('mnist', { requestId: `secrets-${config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, params: { epochs: 1 } } });
    const result = await handle.result();

    const history = execFileSync(path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal'), [
      'workflow', 'show', '--address', config.temporal.address, '--workflow-id', handle.workflowId, '--output', 'json',
    ]).toString();
    // Payloads are base64 in the CLI's JSON: decode them all so the scan sees their text.
    const decodedPayloads = [...history.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString());
    expect(decodedPayloads.some((p) => p.includes(result.mlflowRunId))).toBe(true);
    const description = JSON.stringify(await handle.describe(), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    const run = JSON.stringify(await new MlflowClient(config.mlflow).getRun(result.mlflowRunId));
    const logs = workers.map((w) => w.output()).join('\n');
    expect(logs).toContain('worker ready');

    for (const [where, text] of Object.entries({ history, payloads: decodedPayloads.join('\n'), description, run, logs })) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a credential leaked into the ${where}`);
      }
    }
  } finally {
    workers.forEach((w) => w.child.kill('SIGTERM'));
    await Promise.all(workers.map((w) => w.exited));
    await client.close();
  }
}, 180_000);
