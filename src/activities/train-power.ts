/**
 * LightGBM training for the Power pipeline (CPU queue) through the official C API. The native calls run on
 * the binding's own LightGBM thread, so the event loop keeps heartbeating; per-iteration metrics go to MLflow in batches.
 */
import path from 'node:path';
import { Booster, Dataset, lightgbmVersion, loadLightgbm, train } from '../lightgbm';
import { readArray } from '../data/arrays';
import { DataRoot } from '../data/paths';
import type { MetricValue } from '../mlflow';
import { paramsOf, type PreparedData, type StageRequest, type TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { reportTrainingProgress, startHeartbeating } from './progress';
import { modelDirOf } from '../data/layout';

export const LIGHTGBM_MODEL_FILE = 'model.lgb';

async function datasetOf(lib: ReturnType<typeof loadLightgbm>, dir: string, split: string, reference?: Dataset): Promise<Dataset> {
  const x = await readArray(dir, `x_${split}`);
  const y = await readArray(dir, `y_${split}`);
  const [nrow, ncol] = x.shape;
  return Dataset.fromMatrix(lib, Float64Array.from(x.data), nrow, ncol, y.data, { reference });
}

export function powerTrainingActivities({ mlflow, dataRoot, limits, lightgbmLib, lightgbmThreads }: ActivityDeps) {
  return {
    async trainPowerModel(req: StageRequest & { prepared: PreparedData }): Promise<TrainedModel> {
      const lib = loadLightgbm(lightgbmLib);
      const version = lightgbmVersion(lib) ?? 'unknown';
      const p = paramsOf(req, 'power');
      const rounds = p.numBoostRound;
      const heart = startHeartbeating({ iteration: 0, rounds, metrics: {} as Record<string, number> });
      const trainSet = await datasetOf(lib, req.prepared.dir, 'train');
      const validSet = await datasetOf(lib, req.prepared.dir, 'val', trainSet);
      let booster: Booster | undefined;
      const pending: MetricValue[] = [];
      try {
        const params = {
          objective: 'regression',
          metric: 'rmse',
          learning_rate: p.learningRate,
          num_leaves: p.numLeaves,
          num_threads: p.numThreads || lightgbmThreads || 0,
          seed: p.seed,
          deterministic: true,
          verbosity: -1,
        };
        await mlflow.logBatch(req.run.runId, { params: { lightgbm_version: version } });
        const result = await train(lib, params, trainSet, {
          valid: validSet,
          numBoostRound: rounds,
          earlyStoppingRounds: p.earlyStoppingRounds,
          onIteration: async ({ iteration, train: trainEval, valid }) => {
            const metrics = { train_rmse: trainEval.rmse, val_rmse: valid?.rmse ?? NaN };
            heart.beat({ iteration, rounds, metrics });
            // Per iteration would flood the history with signals: every 10th, and the last.
            if (iteration % 10 === 0 || iteration === rounds) await reportTrainingProgress({ epoch: iteration, totalEpochs: rounds, metrics, backend: `lightgbm-${version}` });
            const timestamp = Date.now();
            for (const [key, value] of Object.entries(metrics)) pending.push({ key, value, step: iteration, timestamp });
            if (pending.length >= 100) await mlflow.logBatch(req.run.runId, { metrics: pending.splice(0) });
          },
        });
        booster = result.booster;
        if (pending.length) await mlflow.logBatch(req.run.runId, { metrics: pending.splice(0) });
        // Through the boundary: a models folder (or model file) that is a link out of the root is refused, not written through.
        const root = await DataRoot.open(dataRoot, limits);
        const file = await root.writeFile(path.join(modelDirOf(dataRoot, req.run.runId), LIGHTGBM_MODEL_FILE), booster.saveModelToString({ numIteration: result.bestIteration }));
        const dir = path.dirname(file);
        return {
          dir,
          format: 'lightgbm',
          backend: `lightgbm-${version}`,
          libraryVersion: version,
          epochs: result.bestIteration,
          metrics: { best_iteration: result.bestIteration, val_rmse: result.bestScore?.rmse ?? NaN },
        };
      } finally {
        heart.stop();
        booster?.free();
        validSet.free();
        trainSet.free();
      }
    },
  };
}
