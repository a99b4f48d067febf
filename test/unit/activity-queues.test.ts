/** Each queue's worker registers its own activity set: the GPU worker only the tfjs trainings, the CPU worker the rest. */
import { createActivities, forQueue } from '../../src/activities';
import { MlflowClient } from '../../src/mlflow';

describe('activities by queue', () => {
  const all = createActivities({ mlflow: new MlflowClient({ trackingUri: 'http://127.0.0.1:1' }), dataRoot: '/nonexistent' });

  it('splits the activities into disjoint CPU and GPU sets that together are all of them', () => {
    const gpu = Object.keys(forQueue(all, 'gpu')).sort();
    const cpu = Object.keys(forQueue(all, 'cpu'));
    expect(gpu).toEqual(['trainCifar10Model', 'trainMnistModel', 'trainTickModel']);
    expect(cpu).toEqual(expect.arrayContaining(['startTrackingRun', 'registerModel', 'preparePower', 'trainPowerModel', 'evaluateClassifier']));
    expect(cpu.filter((name) => gpu.includes(name))).toEqual([]);
    expect([...cpu, ...gpu].sort()).toEqual(Object.keys(all).sort());
  });
});
