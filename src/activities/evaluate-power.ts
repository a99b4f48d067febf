/** Evaluation of the Power model (CPU queue): RMSE, MAE, MAPE on the test window vs a seasonal-naive baseline. */
import path from 'node:path';
import { Booster, loadLightgbm } from '../lightgbm';
import { readArray, readMeta } from '../data/arrays';
import { readRegularFile } from '../data/paths';
import { logLearningCurve, logPlot } from './plots';
import { mape, regressionMetrics } from '../models/metrics';
import type { Evaluation, PreparedData, StageRequest, TrainedModel } from '../workflows/shared/types';
import { computeOf, type ActivityDeps } from './deps';
import { onceTimestamp } from './tracking';
import { LIGHTGBM_MODEL_FILE } from './train-power';
import { scoreChampion } from './champion-model';
import { localStageFiles } from './shared-run-files';

export function powerEvaluation(deps: ActivityDeps) {
  const { mlflow, lightgbmLib } = deps;
  return {
    async evaluatePowerModel(req: StageRequest & { prepared: PreparedData; model: TrainedModel }): Promise<Evaluation> {
      // Trained (or prepared) on another machine, the files come through MLflow's artifact store.
      const { preparedDir, modelDir } = await localStageFiles(deps, req);
      const lib = loadLightgbm(lightgbmLib);
      const booster = Booster.loadModelFromString(lib, (await readRegularFile(path.join(modelDir, LIGHTGBM_MODEL_FILE))).toString('utf8'));
      try {
        const x = await readArray(preparedDir, 'x_test');
        const actual = (await readArray(preparedDir, 'y_test')).data;
        const naive = (await readArray(preparedDir, 'naive_test')).data;
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
        await mlflow.logMetrics(req.run.runId, metrics, 0, onceTimestamp());
        // The champion forecasts the same test rows.
        const champion = await scoreChampion(deps, req, async ({ dir }) => {
          const theirs = Booster.loadModelFromString(lib, (await readRegularFile(path.join(dir, LIGHTGBM_MODEL_FILE))).toString('utf8'));
          try {
            const forecasts = await theirs.predict(Float64Array.from(x.data), x.shape[0], x.shape[1]);
            const errors = regressionMetrics(forecasts, actual);
            return { test_rmse: errors.rmse, test_mae: errors.mae, test_mape: mape(forecasts, actual) };
          } finally {
            theirs.free();
          }
        });
        const meta = await readMeta(preparedDir);
        const names = (meta.info.features as string[] | undefined) ?? [];
        const gain = Array.from(booster.featureImportance('gain'));
        const importance = gain.map((value, i) => ({ label: names[i] ?? `f${i}`, value }));
        const artifacts = ['evaluation/feature_importance.json'];
        await mlflow.uploadArtifact(req.run.artifactUri, artifacts[0], JSON.stringify(importance, null, 1));
        artifacts.push(await logPlot(mlflow, req.run, 'feature_importance', await computeOf(deps).run('barChartPng', importance, { title: 'LightGBM feature importance', xTitle: 'total gain' })));
        const times = Array.from((await readArray(preparedDir, 't_test')).data, (hours) => new Date(hours * 3_600_000));
        artifacts.push(
          await logPlot(
            mlflow,
            req.run,
            'prediction_vs_actual',
            await computeOf(deps).run(
              'lineChartPng',
              [
                { name: 'actual', x: times, y: Array.from(actual) },
                { name: `LightGBM (RMSE ${model.rmse.toFixed(3)})`, x: times, y: Array.from(predicted) },
                { name: `seasonal naive (RMSE ${baseline.rmse.toFixed(3)})`, x: times, y: Array.from(naive) },
              ],
              { title: 'Global active power on the test window', yTitle: 'kW', xIsTime: true },
            ),
          ),
        );
        const curve = await logLearningCurve(deps, req.run, ['train_rmse', 'val_rmse'], 'LightGBM RMSE per boosting iteration');
        if (curve) artifacts.push(curve);
        return { metrics: { ...metrics, ...champion }, artifacts };
      } finally {
        booster.free();
      }
    },
  };
}
