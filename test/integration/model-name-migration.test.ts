/** The one-time registered-model rename (issue 14's names) against the real MLflow server. */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { MlflowClient } from '../../src/mlflow';
import { migrateFormerModelName } from '../../src/activities/model-name-migration';
import { CATALOG } from '../../src/pipelines';

describe('registered model name migration', () => {
  const mlflow = new MlflowClient(loadConfig().mlflow);

  async function modelWithChampion(name: string): Promise<{ runId: string; version: string }> {
    const experimentId = await mlflow.getOrCreateExperiment('model-name-migration-test');
    const run = await mlflow.createRun(experimentId, name);
    await mlflow.getOrCreateRegisteredModel(name);
    const v = await mlflow.createModelVersion(name, `${run.info.artifact_uri}/model`, run.info.run_id);
    await mlflow.setAlias(name, 'champion', v.version);
    return { runId: run.info.run_id, version: v.version };
  }

  it('names the MNIST and CIFAR-10 models as issue 14 asks, remembering the former names', () => {
    expect([CATALOG.mnist.policy.modelName, CATALOG.cifar10.policy.modelName, CATALOG.tick.policy.modelName, CATALOG.power.policy.modelName]).toEqual([
      'mnist-cnn-model',
      'cifar10-cnn-model',
      'tick-model',
      'power-consumption-model',
    ]);
    expect(CATALOG.mnist.policy.formerModelNames).toEqual(['mnist-cnn']);
    expect(CATALOG.cifar10.policy.formerModelNames).toEqual(['cifar10-cnn']);
  });

  it('renames the former model once, moving its versions and champion alias; a second call changes nothing', async () => {
    const suffix = randomUUID().slice(0, 8);
    const policy = { modelName: `new-${suffix}`, formerModelNames: [`old-${suffix}`] };
    const { runId, version } = await modelWithChampion(`old-${suffix}`);

    expect(await migrateFormerModelName(mlflow, policy)).toEqual({ renamedFrom: `old-${suffix}` });
    expect(await mlflow.getRegisteredModel(`old-${suffix}`)).toBeUndefined();
    const champion = await mlflow.getVersionByAlias(`new-${suffix}`, 'champion');
    expect({ version: champion?.version, runId: champion?.run_id }).toEqual({ version, runId });
    expect(await mlflow.searchModelVersions(`name = 'new-${suffix}'`)).toHaveLength(1);

    expect(await migrateFormerModelName(mlflow, policy)).toEqual({});
    expect(await mlflow.searchModelVersions(`name = 'new-${suffix}'`)).toHaveLength(1);
  });

  it('leaves both alone when the new name already exists, and does nothing when neither does', async () => {
    const suffix = randomUUID().slice(0, 8);
    await modelWithChampion(`old-${suffix}`);
    await mlflow.getOrCreateRegisteredModel(`new-${suffix}`);
    expect(await migrateFormerModelName(mlflow, { modelName: `new-${suffix}`, formerModelNames: [`old-${suffix}`] })).toEqual({});
    expect(await mlflow.getRegisteredModel(`old-${suffix}`)).toBeDefined();
    expect(await mlflow.searchModelVersions(`name = 'new-${suffix}'`)).toHaveLength(0);

    expect(await migrateFormerModelName(mlflow, { modelName: `none-${suffix}`, formerModelNames: [`gone-${suffix}`] })).toEqual({});
    expect(await mlflow.getRegisteredModel(`none-${suffix}`)).toBeUndefined();
  });

  it('two registrations migrating at once end with one renamed model', async () => {
    const suffix = randomUUID().slice(0, 8);
    const policy = { modelName: `new-${suffix}`, formerModelNames: [`old-${suffix}`] };
    await modelWithChampion(`old-${suffix}`);
    const outcomes = await Promise.all([migrateFormerModelName(mlflow, policy), migrateFormerModelName(mlflow, policy)]);
    expect(outcomes.filter((o) => o.renamedFrom).length).toBeLessThanOrEqual(1);
    expect(await mlflow.getRegisteredModel(`old-${suffix}`)).toBeUndefined();
    expect(await mlflow.searchModelVersions(`name = 'new-${suffix}'`)).toHaveLength(1);
  });
});
