import { Booster } from './booster';
import type { Dataset } from './dataset';
import type { LightgbmLibrary } from './library';
import { isHigherBetter, type Params } from './params';

export interface IterationInfo {
  /** 1-based iteration just completed. */
  iteration: number;
  /** Metric values on the training data. */
  train: Record<string, number>;
  /** Metric values on the validation set, when one was given. */
  valid?: Record<string, number>;
}

export interface TrainOptions {
  valid?: Dataset;
  numBoostRound: number;
  /** Stop when the first validation metric has not improved for this many iterations (needs `valid`). */
  earlyStoppingRounds?: number;
  /** Awaited after every iteration: a good place to heartbeat or log. Throwing aborts training. */
  onIteration?: (info: IterationInfo) => void | Promise<void>;
}

export interface TrainHistory {
  /** metric name -> value per iteration (index i = iteration i + 1) */
  train: Record<string, number[]>;
  valid?: Record<string, number[]>;
}

export interface TrainResult {
  booster: Booster;
  /**
   * With early stopping: the iteration with the best first validation metric (also set as
   * booster.bestIteration, so predict() and saveModelToString() use it by default). Otherwise the number of
   * iterations trained.
   */
  bestIteration: number;
  /** Validation metrics at bestIteration (when a validation set was given). */
  bestScore?: Record<string, number>;
  history: TrainHistory;
  /** 'noMoreSplits': LightGBM produced an empty tree, so further iterations would not change the model. */
  stopReason: 'numBoostRound' | 'earlyStopping' | 'noMoreSplits';
}

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}

function record(names: string[], values: number[]): Record<string, number> {
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}

/**
 * Trains a booster, like the Python package's `lightgbm.train` with `early_stopping(first_metric_only=True)`.
 * Each iteration runs on the library's LightGBM worker thread, so the event loop keeps turning. The caller owns the returned
 * booster (free() it) and the datasets. On error the booster is freed and the error rethrown.
 */
export async function train(
  lib: LightgbmLibrary,
  params: Params,
  trainSet: Dataset,
  opts: TrainOptions,
): Promise<TrainResult> {
  positiveInt('numBoostRound', opts.numBoostRound);
  const patience = opts.earlyStoppingRounds;
  if (patience !== undefined) {
    positiveInt('earlyStoppingRounds', patience);
    if (!opts.valid) throw new Error('earlyStoppingRounds needs a validation set (opts.valid)');
  }
  if (trainSet.lib !== lib || (opts.valid && opts.valid.lib !== lib)) {
    throw new Error('datasets must come from the same LightGBM library instance as `lib`');
  }

  const booster = Booster.create(trainSet, params);
  try {
    if (opts.valid) booster.addValidData(opts.valid);
    const names = booster.evalNames();
    const metric = names[0];
    if (patience !== undefined && metric === undefined) throw new Error('early stopping needs a metric (params.metric)');
    const higherBetter = metric !== undefined && isHigherBetter(metric);

    const history: TrainHistory = {
      train: Object.fromEntries(names.map((n) => [n, []])),
      valid: opts.valid ? Object.fromEntries(names.map((n) => [n, []])) : undefined,
    };
    let best: { iteration: number; score: number; valid: Record<string, number> } | undefined;
    let lastValid: Record<string, number> | undefined;
    let stopReason: TrainResult['stopReason'] = 'numBoostRound';

    for (let iteration = 1; iteration <= opts.numBoostRound; iteration++) {
      if (await booster.updateOneIter()) {
        stopReason = 'noMoreSplits';
        break;
      }
      const trainEval = record(names, await booster.getEval(0));
      const validEval = opts.valid ? record(names, await booster.getEval(1)) : undefined;
      lastValid = validEval;
      for (const name of names) {
        history.train[name].push(trainEval[name]);
        if (validEval && history.valid) history.valid[name].push(validEval[name]);
      }
      await opts.onIteration?.({ iteration, train: trainEval, valid: validEval });

      if (validEval && metric !== undefined) {
        const score = validEval[metric];
        if (!best || (higherBetter ? score > best.score : score < best.score)) {
          best = { iteration, score, valid: validEval };
        } else if (patience !== undefined && iteration - best.iteration >= patience) {
          stopReason = 'earlyStopping';
          break;
        }
      }
    }

    const useBest = patience !== undefined && best !== undefined;
    const bestIteration = useBest && best ? best.iteration : booster.currentIteration();
    if (useBest) booster.bestIteration = bestIteration;
    return {
      booster,
      bestIteration,
      bestScore: useBest && best ? best.valid : lastValid,
      history,
      stopReason,
    };
  } catch (err) {
    booster.free();
    throw err;
  }
}
