/**
 * The Power champion, trained and logged from TypeScript, is an MLflow model that MLflow's own Python API loads
 * (`mlflow.pyfunc.load_model("models:/<name>@champion")`) and that predicts what the TypeScript booster predicts.
 * Needs the project's .venv (mlflow, lightgbm) besides the test stack.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/config';
import type { PipelineResult } from '../../src/client';
import { readArray } from '../../src/data/arrays';
import { Booster, loadLightgbm } from '../../src/lightgbm';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { eventually, usePipelineStack } from '../helpers/stack';
import { freePort } from '../helpers/worker-process';

const run = promisify(execFile);
const PYTHON = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');
const PYFUNC_PREDICT = path.join(PROJECT_ROOT, 'test', 'tools', 'pyfunc_predict.py');
const VENV_BIN = path.join(PROJECT_ROOT, '.venv', 'bin');

/** Largest |a - b| / max(|b|, 1e-12) over the pairs. */
function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12));
  return worst;
}

describe('MLflow interop: the LightGBM champion loads through mlflow.pyfunc', () => {
  const stack = usePipelineStack();
  const policy = MODEL_POLICIES.power;

  it('logs MLflow lightgbm + python_function flavors whose predictions equal the TypeScript booster', async () => {
    // Earlier tests on this MLflow server may hold a better champion: start from none, so this run is crowned.
    if (await stack.mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS)) await stack.mlflow.deleteAlias(policy.modelName, CHAMPION_ALIAS);
    const result: PipelineResult = await stack.client.execute('power', {
      requestId: `interop-${stack.config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic' }, params: { numBoostRound: 40 } },
    });
    expect(result.registration).toMatchObject({ registered: true, champion: true });
    const tracked = await stack.mlflow.getRun(result.mlflowRunId);
    const artifactUri = tracked.info.artifact_uri;

    // The folder MLflow's save_model would have written for a Booster.
    const files = (await stack.mlflow.listArtifacts(result.mlflowRunId, 'model')).map((f) => f.path).sort();
    expect(files).toEqual(['MLmodel', 'conda.yaml', 'input_example.json', 'model.lgb', 'python_env.yaml', 'requirements.txt', 'serving_input_example.json'].map((f) => `model/${f}`));
    const mlmodel = YAML.parse((await stack.mlflow.downloadArtifact(artifactUri, 'model/MLmodel')).toString('utf8'));
    expect(mlmodel.flavors.lightgbm).toMatchObject({ data: 'model.lgb', model_class: 'lightgbm.basic.Booster', lgb_version: '4.7.0' });
    expect(mlmodel.flavors.python_function).toMatchObject({ loader_module: 'mlflow.lightgbm', data: 'model.lgb' });
    expect(mlmodel.run_id).toBe(result.mlflowRunId);
    const inputs = JSON.parse(mlmodel.signature.inputs) as { name: string; type: string }[];
    const preparedDir = tracked.data.tags!.find((t) => t.key === 'prepared_data')!.value;
    const meta = JSON.parse(await fs.readFile(path.join(preparedDir, 'meta.json'), 'utf8'));
    expect(inputs).toEqual(meta.info.features.map((name: string) => ({ type: 'double', name, required: true })));
    const requirements = (await stack.mlflow.downloadArtifact(artifactUri, 'model/requirements.txt')).toString('utf8').split('\n');
    expect(requirements).toEqual(['mlflow==3.17.2', 'lightgbm==4.7.0']);

    // Same rows on both sides: the prepared test window.
    const x = await readArray(preparedDir, 'x_test');
    const [nrow, ncol] = x.shape;
    const rows = Array.from({ length: nrow }, (_, r) => Array.from(x.data.subarray(r * ncol, (r + 1) * ncol)));
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'dml-interop-'));
    await fs.writeFile(path.join(work, 'rows.json'), JSON.stringify({ columns: inputs.map((c) => c.name), data: rows }));

    const modelText = (await stack.mlflow.downloadArtifact(artifactUri, 'model/model.lgb')).toString('utf8');
    const booster = Booster.loadModelFromString(loadLightgbm(stack.config.lightgbmLib), modelText);
    const expected = await booster.predict(Float64Array.from(x.data), nrow, ncol).finally(() => booster.free());

    await run(PYTHON, [PYFUNC_PREDICT, `models:/${policy.modelName}@${CHAMPION_ALIAS}`, path.join(work, 'rows.json'), path.join(work, 'out.json')], {
      env: { ...process.env, MLFLOW_TRACKING_URI: stack.config.mlflow.trackingUri },
      timeout: 120_000,
    });
    const out = JSON.parse(await fs.readFile(path.join(work, 'out.json'), 'utf8')) as { predictions: number[]; loader_module: string; input_names: string[] };
    expect(out.loader_module).toBe('mlflow.lightgbm');
    expect(out.input_names).toEqual(inputs.map((c) => c.name));
    expect(out.predictions).toHaveLength(nrow);
    expect(maxRelativeError(out.predictions, expected)).toBeLessThan(1e-9);
    await fs.rm(work, { recursive: true, force: true });
  });

  it('`mlflow models serve` scores the champion\'s serving input example like the TypeScript booster', async () => {
    const champion = await stack.mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS);
    const artifactUri = (await stack.mlflow.getRun(champion!.run_id!)).info.artifact_uri;
    const example = JSON.parse((await stack.mlflow.downloadArtifact(artifactUri, 'model/serving_input_example.json')).toString('utf8'));
    const { columns, data } = example.dataframe_split as { columns: string[]; data: number[][] };
    const booster = Booster.loadModelFromString(loadLightgbm(stack.config.lightgbmLib), (await stack.mlflow.downloadArtifact(artifactUri, 'model/model.lgb')).toString('utf8'));
    const expected = await booster.predict(Float64Array.from(data.flat()), data.length, columns.length).finally(() => booster.free());

    const port = await freePort();
    // Its own process group: the scoring server (uvicorn) is a child of the mlflow command and goes with it.
    const server = spawn(path.join(VENV_BIN, 'mlflow'), ['models', 'serve', '-m', `models:/${policy.modelName}@${CHAMPION_ALIAS}`, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}`, MLFLOW_TRACKING_URI: stack.config.mlflow.trackingUri },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(async () => server.exitCode === null && (await fetch(`${url}/ping`)).ok, 120_000, 500).catch((err) => {
        throw new Error(`${(err as Error).message}; mlflow models serve said:\n${log.slice(-2000)}`);
      });
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(example) });
      expect(res.status).toBe(200);
      const { predictions } = (await res.json()) as { predictions: number[] };
      expect(predictions).toHaveLength(data.length);
      expect(maxRelativeError(predictions, expected)).toBeLessThan(1e-9);
    } finally {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        process.kill(-server.pid!, 'SIGTERM');
        await exited;
      }
    }
  });
});
