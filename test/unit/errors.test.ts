/** Errors by kind: the error's class, not a list of names, decides whether the activity is retried. */
import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure, withFailureMapping } from '../../src/activities/failures';
import { DataError } from '../../src/data/errors';
import { DmlError, NonRetryableError } from '../../src/errors';
import { LightgbmError, LightgbmWorkerDiedError } from '../../src/lightgbm/errors';
import { MlflowError } from '../../src/mlflow';
import { TrainingDivergedError } from '../../src/models/training/loop';
import { TrainingThreadError } from '../../src/models/training/run-in-thread';
import { assertSize, PlotInputError } from '../../src/plots/errors';
import { InvalidInputError } from '../../src/workflows/shared/input-schema';

function failureOf(err: unknown): { type?: string | null; nonRetryable?: boolean; message?: string } | unknown {
  const mapped = toActivityFailure(err);
  return mapped instanceof ApplicationFailure ? { type: mapped.type, nonRetryable: mapped.nonRetryable, message: mapped.message } : mapped;
}

describe('errors by kind', () => {
  it('a bad plot input fails the activity at once instead of retrying a finished training', async () => {
    const plot = withFailureMapping({ plotLearningCurve: async () => assertSize('width', 4) });
    const err = await plot.plotLearningCurve().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'PlotInputError', nonRetryable: true, message: 'width must be a finite number between 16 and 8192, got 4' });
    expect(new PlotInputError('x')).toBeInstanceOf(NonRetryableError);
  });

  it.each<[string, Error, string]>([
    ['bad data', new DataError('bad magic', 'raw/mnist/train-images-idx3-ubyte', 'offset 0'), 'DataError'],
    ['bad input', new InvalidInputError('invalid power input: params.numLeaves: Too small'), 'InvalidInput'],
    ['a LightGBM error', new LightgbmError('LGBM_BoosterCreate', 'bad parameter'), 'LightgbmError'],
    ['a diverged training', new TrainingDivergedError('training diverged at epoch 1'), 'TrainingDiverged'],
    ['an MLflow 400', new MlflowError('bad param', 'INVALID_PARAMETER_VALUE', 400, 'runs/log-batch'), 'MlflowError'],
    ['a thread-reported DataError', new TrainingThreadError('bad arrays', 'DataError', false), 'DataError'],
  ])('%s is non-retryable, under its own type name', (_what, err, type) => {
    expect(failureOf(err)).toEqual({ type, nonRetryable: true, message: err.message });
  });

  it.each<[string, Error]>([
    ['an MLflow 503', new MlflowError('unavailable', 'HTTP_ERROR', 503, 'runs/create')],
    ['a network error', new MlflowError('socket hang up', 'ECONNRESET', undefined, 'runs/create')],
    ['a dead LightGBM thread', new LightgbmWorkerDiedError('thread exited')],
    ['a thread-reported retryable error', new TrainingThreadError('out of memory', 'RangeError', true)],
    ['an unclassified error', new Error('something else')],
  ])('%s passes through to the stage retry policy', (_what, err) => {
    expect(toActivityFailure(err)).toBe(err);
  });

  it('every project error class declares its retryability', () => {
    for (const err of [new DataError('x'), new PlotInputError('x'), new LightgbmWorkerDiedError('x'), new MlflowError('x', 'X', 500, 'e')]) {
      expect(err).toBeInstanceOf(DmlError);
      expect(typeof (err as DmlError).retryable).toBe('boolean');
    }
  });
});
