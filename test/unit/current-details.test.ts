/** The workflow's current details (Markdown in the Web UI) and the training progress reports that feed them. */
import { renderCurrentDetails } from '../../src/workflows/shared/current-details';
import { ProgressReporter, speedBetween } from '../../src/activities/progress';
import type { PipelineProgress, TrainingProgress } from '../../src/workflows/shared/types';

const run = { mlflowRunId: 'r1', mlflowRunUrl: 'http://mlflow/#/experiments/1/runs/r1' };

describe('renderCurrentDetails', () => {
  it('while training: stage, epoch and batch, latest losses first, speed, ETA, backend, MLflow link', () => {
    const p: PipelineProgress = {
      stage: 'train',
      ...run,
      partition: '2026-11-23',
      training: {
        epoch: 2,
        totalEpochs: 8,
        batch: 120,
        batches: 844,
        metrics: { val_accuracy: 0.9712, loss: 0.123456, val_loss: 0.1 },
        backend: 'tensorflow',
        throughput: { perSec: 412.345, unit: 'samples' },
        etaSec: 754,
        at: Date.UTC(2026, 10, 23, 12, 3, 10),
      },
    };
    expect(renderCurrentDetails(p).split('\n\n')).toEqual([
      '### train (stage 2/4) · epoch 3/8 (batch 120/844)',
      '**Latest** loss 0.1235 · val_loss 0.1 · val_accuracy 0.9712',
      '**Speed** 412.3 samples/s · ETA 12m34s · backend `tensorflow` · as of 12:03:10 UTC',
      '**MLflow** [run r1](http://mlflow/#/experiments/1/runs/r1)',
      '**Partition** 2026-11-23',
    ]);
  });

  it('LightGBM counts boosting rounds', () => {
    const training: TrainingProgress = { epoch: 40, totalEpochs: 300, metrics: { val_rmse: 0.61 }, throughput: { perSec: 20, unit: 'rounds' } };
    expect(renderCurrentDetails({ stage: 'train', training })).toMatch(/^### train \(stage 2\/4\) · round 40\/300\n\n\*\*Latest\*\* val_rmse 0.61\n\n\*\*Speed\*\* 20 rounds\/s$/);
  });

  it('at the end: the registration outcome against the champion, trained and test metrics', () => {
    const p: PipelineProgress = {
      stage: 'done',
      ...run,
      trained: { epochs: 8, metrics: { loss: 0.05 }, backend: 'tensorflow' },
      evaluated: { test_accuracy: 0.981 },
      registration: { modelName: 'mnist-cnn', modelUri: 'm', registered: true, version: '3', champion: false, reason: 'gate passed; registered mnist-cnn v3; champion v2 stays (0.985 ≥ 0.981)' },
    };
    expect(renderCurrentDetails(p).split('\n\n')).toEqual([
      '### ✅ done · registered mnist-cnn v3, champion unchanged',
      '**Trained** 8 epochs on `tensorflow`: loss 0.05',
      '**Test** test_accuracy 0.981',
      '**Registry** gate passed; registered mnist-cnn v3; champion v2 stays (0.985 ≥ 0.981)',
      '**MLflow** [run r1](http://mlflow/#/experiments/1/runs/r1)',
    ]);
    const rejected = { ...p, registration: { ...p.registration!, registered: false, version: undefined, reason: 'gate failed: test_accuracy=0.9 not >= 0.95' } };
    expect(renderCurrentDetails(rejected)).toMatch(/^### ✅ done · not registered \(mnist-cnn\)\n[\s\S]*\*\*Registry\*\* gate failed: test_accuracy=0.9 not >= 0.95/);
  });

  it('a failure names the stage, the cause in plain words, and the root message', () => {
    const text = renderCurrentDetails({ stage: 'failed', failedStage: 'prepare', errorType: 'DataError', error: 'train-images: offset 16: expected 784 bytes' });
    expect(text).toBe('### ❌ failed in prepare: bad input data\n\n**Root cause** train-images: offset 16: expected 784 bytes');
    expect(renderCurrentDetails({ stage: 'failed', errorType: 'SomethingElse', error: 'boom' })).toBe('### ❌ failed: failed\n\n**Root cause** boom');
  });
});

describe('training progress reports', () => {
  it('speed and ETA from the steps done between two reports', () => {
    expect(speedBetween({ done: 100, at: 0 }, { done: 300, at: 10_000 }, 1300)).toEqual({ stepsPerSec: 20, etaSec: 50 });
    expect(speedBetween(undefined, { done: 300, at: 10_000 }, 1300)).toBeUndefined();
    expect(speedBetween({ done: 300, at: 0 }, { done: 300, at: 10_000 }, 1300)).toBeUndefined();
  });

  it('sends at most once per interval, epoch ends no sooner than the minimum gap, and the held-back last state on flush', async () => {
    let now = 0;
    const sent: TrainingProgress[] = [];
    const reporter = new ProgressReporter('samples', 64, 15_000, async (p) => void sent.push(p), () => now);
    const at = (epoch: number, batch: number): TrainingProgress => ({ epoch, totalEpochs: 2, metrics: {}, batch, batches: 100 });

    now = 1_000;
    await reporter.update(at(0, 1), 1, 200); // starts the clock, sends nothing
    now = 11_000;
    await reporter.update(at(0, 51), 51, 200); // 10 s: within the interval
    expect(sent).toEqual([]);
    now = 16_000;
    await reporter.update(at(0, 76), 76, 200);
    // 75 batches of 64 in 15 s = 320 samples/s; 124 batches left at 5 batches/s.
    expect(sent).toEqual([{ ...at(0, 76), throughput: { perSec: 320, unit: 'samples' }, etaSec: 24.8, at: 16_000 }]);
    now = 17_000;
    await reporter.update(at(0, 80), 80, 200);
    now = 18_000;
    await reporter.update({ epoch: 1, totalEpochs: 2, metrics: { loss: 1 } }, 100, 200, true); // epoch end, 2 s after the last report
    expect(sent).toHaveLength(1);
    now = 21_000;
    await reporter.update({ epoch: 1, totalEpochs: 2, metrics: { loss: 1 } }, 100, 200, true); // 5 s: the minimum gap has passed
    expect(sent.map((p) => p.epoch)).toEqual([0, 1]);
    expect(sent[1].throughput?.perSec).toBeCloseTo((24 * 64) / 5);
    await reporter.flush(); // nothing held back
    now = 22_000;
    await reporter.update(at(1, 10), 110, 200);
    await reporter.flush();
    expect(sent.map((p) => p.batch)).toEqual([76, undefined, 10]);
    // The training's last step goes out at once, however close to the previous report.
    now = 22_500;
    await reporter.update({ epoch: 2, totalEpochs: 2, metrics: { loss: 0.5 } }, 200, 200, true);
    expect(sent.map((p) => p.epoch)).toEqual([0, 1, 1, 2]);
  });

  it('reports a tiny training of 1-second epochs every 5 s, not every epoch, and always its last epoch', async () => {
    let now = 0;
    const sent: TrainingProgress[] = [];
    const reporter = new ProgressReporter('samples', 64, 15_000, async (p) => void sent.push(p), () => now);
    for (let epoch = 1; epoch <= 20; epoch++) {
      now = epoch * 1_000;
      await reporter.update({ epoch, totalEpochs: 20, metrics: { loss: 1 / epoch } }, epoch * 10, 200, true);
    }
    expect(sent.map((p) => p.epoch)).toEqual([5, 10, 15, 20]);
    expect(sent[sent.length - 1].metrics).toEqual({ loss: 1 / 20 });
  });
});
