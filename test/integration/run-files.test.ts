/**
 * A finished run leaves no checkpoints behind (unless DML_KEEP_CHECKPOINTS keeps the newest few) and no model
 * folder unless its model was registered: the data root does not grow per run beyond the registered models.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkpointDirOf, finishedCheckpointsDir, modelDirOf } from '../../src/data/layout';
import { testConfig, withPipelineStack } from '../helpers/stack';

const MNIST = { source: { kind: 'synthetic' as const, size: 'tiny' as const }, params: { model: 'mlp' as const, epochs: 2 } };
const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe('files of finished runs', () => {
  it('removes the checkpoints of every run, and the model folder of a run whose model was not registered', async () => {
    await withPipelineStack(async ({ client, config }) => {
      const registered = await client.execute('mnist', { requestId: `files-reg-${config.taskQueues.cpu}`, input: { ...MNIST, gate: { test_accuracy: 0 } } });
      const refused = await client.execute('mnist', { requestId: `files-refused-${config.taskQueues.cpu}`, input: { ...MNIST, gate: { test_accuracy: 1.01 } } });
      expect([registered.registration.registered, refused.registration.registered]).toEqual([true, false]);

      expect(ls(path.join(config.dataRoot, 'checkpoints'))).toEqual([]);
      expect(fs.existsSync(checkpointDirOf(config.dataRoot, registered.mlflowRunId))).toBe(false);
      expect(ls(path.join(config.dataRoot, 'models'))).toEqual([registered.mlflowRunId]);
      expect(ls(modelDirOf(config.dataRoot, registered.mlflowRunId))).toContain('model.json');
    });
  }, 300_000);

  it('keeps the checkpoints of the newest DML_KEEP_CHECKPOINTS finished runs when asked', async () => {
    const config = { ...testConfig(), keepCheckpoints: 1 };
    await withPipelineStack(async ({ client }) => {
      const first = await client.execute('mnist', { requestId: `files-keep1-${config.taskQueues.cpu}`, input: { ...MNIST, gate: { test_accuracy: 1.01 } } });
      const kept1 = ls(finishedCheckpointsDir(config.dataRoot));
      expect(kept1).toEqual([expect.stringMatching(new RegExp(`^\\d+-${first.mlflowRunId}$`))]);
      expect(ls(path.join(finishedCheckpointsDir(config.dataRoot), kept1[0]))).toEqual(expect.arrayContaining([expect.stringMatching(/^ckpt-e\d+-b\d+$/)]));

      const second = await client.execute('mnist', { requestId: `files-keep2-${config.taskQueues.cpu}`, input: { ...MNIST, params: { ...MNIST.params, seed: 7 }, gate: { test_accuracy: 1.01 } } });
      expect(ls(finishedCheckpointsDir(config.dataRoot))).toEqual([expect.stringMatching(new RegExp(`^\\d+-${second.mlflowRunId}$`))]);
      expect(ls(path.join(config.dataRoot, 'checkpoints'))).toEqual(['finished']);
      expect(ls(path.join(config.dataRoot, 'models'))).toEqual([]);
    }, config);
  }, 300_000);
});
