/**
 * LightGBM training for the Power pipeline (CPU queue) through the official C API. The native calls run on
 * the binding's own LightGBM thread, so the event loop keeps heartbeating; per-iteration metrics go to MLflow in batches.
 */
import path from 'node:path';
import { Booster, Dataset, lightgbmVersion, loadLightgbm, train } from '../lightgbm';
import { readArray, readMeta } from '../data/arrays';
import { DataRoot } from '../data/paths';
import { LIGHTGBM_DATA_FILE, tensorSpec, type MetricValue } from '../mlflow';
import { paramsOf, type PreparedData, type StageRequest, type TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { ProgressReporter, startHeartbeating } from './progress';
import { modelDirOf } from '../data/layout';
import { tableExample, writeMlflowModel } from './model-folder';
import { localPrepared, publishModel } from './shared-run-files';

export const LIGHTGBM_MODEL_FILE = LIGHTGBM_DATA_FILE;

async function datasetOf(lib: ReturnType<typeof loadLightgbm>, dir: string, split: string, opts: { reference?: Dataset; featureNames?: string[] }): Promise<Dataset> {
  const x = await readArray(dir, `x_${split}`);
  const y = await readArray(dir, `y_${split}`);
  const [nrow, ncol] = x.shape;
  return Dataset.fromMatrix(lib, Float64Array.from(x.data), nrow, ncol, y.data, opts);
}

/** The prepared feature names (meta.json), in column order: the model's input schema. */
export async function powerFeatureNames(preparedDir: string): Promise<string[]> {
  const names = (await readMeta(preparedDir)).info.features;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new Error(`${preparedDir}/meta.json lists no feature names`);
  return names as string[];
}

export function powerTrainingActivities({ mlflow, dataRoot, limits, lightgbmLib, lightgbmThreads }: ActivityDeps) {
  return {
    async trainPowerModel(req: StageRequest & { prepared: PreparedData }): Promise<TrainedModel> {
      const lib = loadLightgbm(lightgbmLib);
      const version = lightgbmVersion(lib) ?? 'unknown';
      const p = paramsOf(req, 'power');
      const rounds = p.numBoostRound;
      const heart = startHeartbeating({ iteration: 0, rounds, metrics: {} as Record<string, number> });
      const reporter = new ProgressReporter('rounds', 1);
      // Through the data root's boundary; prepared on another CPU machine, the arrays come through MLflow.
      const root = await DataRoot.open(dataRoot, limits);
      const preparedDir = await localPrepared(root, mlflow, req);
      const featureNames = await powerFeatureNames(preparedDir);
      // Named features travel in the model text, so Python's Booster and the MLflow signature agree on the columns.
      const trainSet = await datasetOf(lib, preparedDir, 'train', { featureNames });
      const validSet = await datasetOf(lib, preparedDir, 'val', { reference: trainSet });
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
            // Per iteration would flood the history with signals: every few seconds, and the last (flush below).
            await reporter.update({ epoch: iteration, totalEpochs: rounds, metrics, backend: `lightgbm-${version}` }, iteration, rounds);
            const timestamp = Date.now();
            for (const [key, value] of Object.entries(metrics)) pending.push({ key, value, step: iteration, timestamp });
            if (pending.length >= 100) await mlflow.logBatch(req.run.runId, { metrics: pending.splice(0) });
          },
        });
        booster = result.booster;
        await reporter.flush();
        if (pending.length) await mlflow.logBatch(req.run.runId, { metrics: pending.splice(0) });
        // Through the boundary: a models folder (or model file) that is a link out of the root is refused, not written through.
        const file = await root.writeFile(path.join(modelDirOf(dataRoot, req.run.runId), LIGHTGBM_MODEL_FILE), booster.saveModelToString({ numIteration: result.bestIteration }));
        const dir = path.dirname(file);
        await writeMlflowModel(root, dir, {
          runId: req.run.runId,
          flavor: { kind: 'lightgbm', lightgbmVersion: version },
          // LightGBM predicts on doubles: float32 or float64 columns both convert without loss.
          signature: { inputs: featureNames.map((name) => ({ type: 'double', name, required: true })), outputs: [tensorSpec([-1], 'float64')] },
          example: await tableExample(preparedDir, 'x_test', featureNames),
        });
        return {
          dir,
          ...(await publishModel(mlflow, req.run, dir)),
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
