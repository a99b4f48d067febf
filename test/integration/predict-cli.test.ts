/**
 * `durable-ml predict` end to end: the compiled CLI resolves the MNIST and Power champions through the real MLflow
 * registry, downloads them, reads the raw files the pipelines trained on, and prints the same numbers as a direct
 * call of the trained model on the prepared test set.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import YAML from 'yaml';
import type { PipelineName, PipelineResult } from '../../src/client';
import { readArray } from '../../src/data/arrays';
import { Booster, loadLightgbm } from '../../src/lightgbm';
import { loadTfBackend } from '../../src/models/backend';
import { loadModelFiles } from '../../src/models/fs-io';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { modelDirOf } from '../../src/data/layout';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { usePipelineStack } from '../helpers/stack';
import { cli as runCli } from '../helpers/cli';

type Row = Record<string, number | string>;

describe('durable-ml predict', () => {
  const stack = usePipelineStack();
  const champions = {} as Record<'mnist' | 'power', { result: PipelineResult; preparedDir: string; rawDir: string }>;

  /** Trains the pipeline on the synthetic tiny set until its model is the champion (earlier champions are un-aliased). */
  async function trainChampion(pipeline: PipelineName, input: Record<string, unknown>) {
    const { modelName } = MODEL_POLICIES[pipeline];
    if (await stack.mlflow.getVersionByAlias(modelName, CHAMPION_ALIAS)) await stack.mlflow.deleteAlias(modelName, CHAMPION_ALIAS);
    const result = await stack.client.execute(pipeline, { requestId: `predict-${pipeline}-${stack.config.taskQueues.cpu}`, input: { source: { kind: 'synthetic' }, ...input } });
    expect(result.registration).toMatchObject({ registered: true, champion: true });
    const run = await stack.mlflow.getRun(result.mlflowRunId);
    const dataset = run.data.params!.find((p) => p.key === 'dataset')!.value;
    return { result, preparedDir: run.data.tags!.find((t) => t.key === 'prepared_data')!.value, rawDir: path.join(stack.config.dataRoot, 'raw', dataset) };
  }

  async function predictJson(pipeline: PipelineName, inputFile: string): Promise<{ model: { name: string; version: string }; predictions: Row[] }> {
    const out = path.join(stack.config.dataRoot, `${pipeline}-predictions.json`);
    const run = await runCli(stack.config, ['predict', pipeline, '--model', `${MODEL_POLICIES[pipeline].modelName}@${CHAMPION_ALIAS}`, '--input', inputFile, '--output', out], {}, 120_000);
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    return JSON.parse(await fs.readFile(out, 'utf8'));
  }

  beforeAll(async () => {
    champions.mnist = await trainChampion('mnist', { params: { epochs: 1 }, gate: { test_accuracy: 0 } });
    champions.power = await trainChampion('power', { params: { numBoostRound: 30 } });
  });

  it('mnist: one class and probability per image of an IDX file, as the tfjs model gives them', async () => {
    const { result, preparedDir, rawDir } = champions.mnist;
    const images = path.join(rawDir, 't10k-images-idx3-ubyte');
    const out = await predictJson('mnist', images);
    expect(out.model).toMatchObject({ name: MODEL_POLICIES.mnist.modelName, version: result.registration.version });
    // The downloaded copy is an MLflow model with a tensor signature and an input example of that shape.
    const cached = path.join(stack.config.dataRoot, 'cache', 'models', MODEL_POLICIES.mnist.modelName, `v${result.registration.version}`);
    const mlmodel = YAML.parse(await fs.readFile(path.join(cached, 'MLmodel'), 'utf8'));
    expect(JSON.parse(mlmodel.signature.inputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 28, 28, 1] } }]);
    expect(JSON.parse(mlmodel.signature.outputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 10] } }]);
    const example = JSON.parse(await fs.readFile(path.join(cached, 'serving_input_example.json'), 'utf8')) as { inputs: number[][][][] };
    expect([example.inputs[0].length, example.inputs[0][0].length, example.inputs[0][0][0].length]).toEqual([28, 28, 1]);

    // Directly: the trained model on the prepared test set (the same file through prepare).
    const { tf } = await loadTfBackend();
    const model = await loadModelFiles(tf, modelDirOf(stack.config.dataRoot, result.mlflowRunId));
    const x = await readArray(preparedDir, 'x_test');
    const probs = tf.tidy(() => model.predict(tf.tensor(x.data, x.shape)) as Tensor);
    const expected = (await probs.array()) as number[][];
    probs.dispose();
    expect(out.predictions).toHaveLength(x.shape[0]);
    out.predictions.forEach((row, i) => {
      const best = expected[i].indexOf(Math.max(...expected[i]));
      expect(row).toMatchObject({ file: 't10k-images-idx3-ubyte', index: i, prediction: best });
      expect(row.probability as number).toBeCloseTo(expected[i][best], 6);
    });

    // The table on stdout: a header naming the model version, one line per image.
    const table = await runCli(stack.config, ['predict', 'mnist', '--input', images], {}, 120_000);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`${MODEL_POLICIES.mnist.modelName} v${result.registration.version}`);
    expect(table.stdout.trim().split('\n')).toHaveLength(3 + x.shape[0]);
  });

  it('power: a forecast per hour of the UCI file, equal to the LightGBM booster on the prepared rows', async () => {
    const { result, preparedDir, rawDir } = champions.power;
    const file = path.join(rawDir, 'household_power_consumption.txt');
    const out = await predictJson('power', file);
    expect(out.model).toMatchObject({ name: MODEL_POLICIES.power.modelName, version: result.registration.version });

    const booster = Booster.loadModelFromString(loadLightgbm(stack.config.lightgbmLib), await fs.readFile(path.join(modelDirOf(stack.config.dataRoot, result.mlflowRunId), 'model.lgb'), 'utf8'));
    const x = await readArray(preparedDir, 'x_test');
    const expected = await booster.predict(Float64Array.from(x.data), x.shape[0], x.shape[1]).finally(() => booster.free());
    const targetTimes = (await readArray(preparedDir, 't_test')).data;

    // Every labelled row of the file, plus the forecast past its end (horizon 1).
    const meta = JSON.parse(await fs.readFile(path.join(preparedDir, 'meta.json'), 'utf8'));
    const labelled = ['y_train', 'y_val', 'y_test'].reduce((n, a) => n + meta.arrays[a][0], 0);
    expect(out.predictions).toHaveLength(labelled + 1);
    expect(out.predictions[out.predictions.length - 1].actual).toBeUndefined();
    const byTarget = new Map(out.predictions.map((r) => [r.target_time, r]));
    targetTimes.forEach((hours, i) => {
      const row = byTarget.get(new Date(hours * 3_600_000).toISOString());
      expect(row).toBeDefined();
      expect(Math.abs((row!.prediction as number) - expected[i]) / Math.abs(expected[i])).toBeLessThan(1e-9);
    });
  });

  it('names what is wrong with a bad model reference or input', async () => {
    const unknown = await runCli(stack.config, ['predict', 'power', '--model', 'no-such-model@champion', '--input', 'x.txt']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("registered model 'no-such-model' has no alias 'champion'");
    const notImages = path.join(champions.power.rawDir, 'household_power_consumption.txt');
    const wrong = await runCli(stack.config, ['predict', 'mnist', '--input', notImages]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(notImages);
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
  });
});
