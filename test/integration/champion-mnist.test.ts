/**
 * Champion vs challenger for MNIST on the same test set: with a champion in the registry, the next run's evaluation
 * scores that champion on the challenger's test images and logs `champion_test_accuracy` next to `test_accuracy`.
 */
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { usePipelineStack } from '../helpers/stack';

const model = MODEL_POLICIES.mnist.modelName;

describe('MNIST champion scored on the challenger’s test set', () => {
  const stack = usePipelineStack();
  const train = (tag: string, seed: number) =>
    stack.client.execute('mnist', {
      requestId: `mnist-champion-${tag}-${stack.config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic', size: 'tiny' }, params: { epochs: 1, seed }, gate: { test_accuracy: 0 } },
    });

  it('logs champion_test_accuracy for the existing champion', async () => {
    await stack.mlflow.deleteAlias(model, CHAMPION_ALIAS).catch(() => undefined);
    const champion = await train('first', 1);
    expect(champion.registration.champion).toBe(true);
    expect(champion.metrics.champion_test_accuracy).toBeUndefined();

    const challenger = await train('second', 2);
    expect(challenger.metrics.champion_version).toBe(Number(champion.registration.version));
    const logged = (await stack.mlflow.getRun(challenger.mlflowRunId)).data.metrics?.find((m) => m.key === 'champion_test_accuracy')?.value;
    expect(logged).toBe(challenger.metrics.champion_test_accuracy);
    expect(logged).toBeGreaterThanOrEqual(0);
    expect(logged).toBeLessThanOrEqual(1);
    console.log(`mnist: champion v${champion.registration.version} test_accuracy ${champion.metrics.test_accuracy}; on the challenger's test set ${logged}; challenger ${challenger.metrics.test_accuracy}`);
  }, 600_000);
});
