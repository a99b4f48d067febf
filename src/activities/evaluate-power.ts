/** Evaluation of the Power model (CPU queue): RMSE, MAE, MAPE on the test window vs a seasonal-naive baseline. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Booster, loadLightgbm } from '../lightgbm';
import { readArray } from '../data/arrays';
import { mape, regressionMetrics } from '../models/metrics';
import type { Evaluation, PreparedData, StageRequest, TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { LIGHTGBM_MODEL_FILE } from './train-power';

export function powerEvaluation({ mlflow, lightgbmLib }: ActivityDeps) {
  return {
    async evaluatePowerModel(req: StageRequest & { prepared: PreparedData; model: TrainedModel }): Promise<Evaluation> {
      const lib = loadLightgbm(lightgbmLib);
      const booster = Booster.loadModelFromString(lib, await fs.readFile(path.join(req.model.dir, LIGHTGBM_MODEL_FILE), 'utf8'));
      try {
        const x = await readArray(req.prepared.dir, 'x_test');
        const actual = (await readArray(req.prepared.dir, 'y_test')).data;
        const naive = (await readArray(req.prepared.dir, 'naive_test')).data;
        const predicted = await booster.predict(Float64Array.from(x.data), x.shape[0], x.shape[1]);
        const model = regressionMetrics(predicted, actual);
        const baseline = regressionMetrics(naive, actual);
        const metrics = {
          test_rmse: model.rmse,
          test_mae: model.mae,
          test_mape: mape(predicted, actual),
          baseline_rmse: baseline.rmse,
          baseline_mae: baseline.mae,
          baseline_mape: mape(naive, actual),
        };
        await mlflow.logMetrics(req.run.runId, metrics);
        const artifacts = ['evaluation/feature_importance.json'];
        await mlflow.uploadArtifact(req.run.artifactUri, artifacts[0], JSON.stringify({ gain: Array.from(booster.featureImportance('gain')) }));
        return { metrics, artifacts };
      } finally {
        booster.free();
      }
    },
  };
}
