/**
 * Evaluation of the tick model (CPU queue): forecast errors on the test window, directional accuracy, and a
 * cost-aware backtest of trading on the predictions, next to a naive baseline that trades the last return's sign.
 */
import { Context } from '@temporalio/activity';
import { readArray, readMeta } from '../data/arrays';
import { backtest } from '../models/backtest';
import { directionalAccuracy, regressionMetrics } from '../models/metrics';
import { predictInThread, predictOn } from '../models/training/predict';
import { InputScaling, readInputScaling, rescaleFeatures } from '../models/training/preprocessing';
import { scoreChampion } from './champion-model';
import { localStageFiles } from './shared-run-files';
import { paramsOf, type Evaluation, type PreparedData, type StageRequest, type TrainedModel } from '../workflows/shared/types';
import { computeOf, type ActivityDeps } from './deps';
import { onceTimestamp } from './tracking';
import { logLearningCurve, logPlot } from './plots';

/** US equities: 252 sessions of 6.5 hours. */
const TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600;

export function tickEvaluation(deps: ActivityDeps) {
  const { mlflow } = deps;
  return {
    async evaluateTickModel(req: StageRequest & { prepared: PreparedData; model: TrainedModel }): Promise<Evaluation> {
      // Trained (or prepared) on another machine, the files come through MLflow's artifact store.
      const { preparedDir, modelDir } = await localStageFiles(deps, req);
      const meta = await readMeta(preparedDir);
      const scale = Number(meta.info.targetScale);
      const predicted = Array.from(await predictInThread(modelDir, preparedDir, 'x_test', Context.current().cancellationSignal), (v) => v * scale);
      const actual = Array.from((await readArray(preparedDir, 'y_test')).data, (v) => v * scale);
      const lastReturns = (await readArray(preparedDir, 'last_return_test')).data;

      const p = paramsOf(req, 'tick');
      const cost = p.costBps / 10_000;
      const periodsPerYear = TRADING_SECONDS_PER_YEAR / p.barIntervalSec;
      const model = backtest(predicted, actual, cost, periodsPerYear);
      const naive = backtest(lastReturns, actual, cost, periodsPerYear);
      const errors = regressionMetrics(predicted, actual);
      const metrics = {
        test_mse: errors.mse,
        test_rmse: errors.rmse,
        test_mae: errors.mae,
        test_directional_accuracy: directionalAccuracy(predicted, actual),
        backtest_sharpe: model.sharpe,
        backtest_max_drawdown: model.maxDrawdown,
        backtest_total_return: model.totalReturn,
        backtest_turnover: model.turnover,
        baseline_directional_accuracy: directionalAccuracy(lastReturns, actual),
        baseline_sharpe: naive.sharpe,
        baseline_max_drawdown: naive.maxDrawdown,
      };
      await mlflow.logMetrics(req.run.runId, metrics, p.epochs, onceTimestamp());
      // The champion trades the same test bars, with its own scaling of the same features.
      const champion = await scoreChampion(deps, req, async ({ dir }) => {
        const own = meta.info.inputScaling as InputScaling;
        const theirs = await readInputScaling(dir);
        const x = rescaleFeatures(await readArray(preparedDir, 'x_test'), own, theirs);
        const forecasts = Array.from(await predictOn(dir, x, Context.current().cancellationSignal), (v) => v * theirs.targetScale);
        const trade = backtest(forecasts, actual, cost, periodsPerYear);
        return { test_rmse: regressionMetrics(forecasts, actual).rmse, test_directional_accuracy: directionalAccuracy(forecasts, actual), backtest_sharpe: trade.sharpe, backtest_max_drawdown: trade.maxDrawdown };
      });
      const artifacts = ['evaluation/backtest.json'];
      await mlflow.uploadArtifact(
        req.run.artifactUri,
        artifacts[0],
        JSON.stringify({ convention: 'sign(prediction) positions, log returns, cost per unit turnover, Sharpe annualised over 252×6.5h', metrics, equity: model.equity, baselineEquity: naive.equity }),
      );
      const bars = model.equity.map((_, i) => i + 1);
      artifacts.push(
        await logPlot(
          mlflow,
          req.run,
          'equity_curve',
          await computeOf(deps).run(
            'lineChartPng',
            [
              { name: `model (Sharpe ${model.sharpe.toFixed(2)})`, x: bars, y: model.equity },
              { name: `last-return baseline (Sharpe ${naive.sharpe.toFixed(2)})`, x: bars, y: naive.equity },
            ],
            { title: 'Backtest equity on the test window (after costs)', xTitle: 'bar', yTitle: 'equity' },
          ),
        ),
      );
      const curve = await logLearningCurve(deps, req.run, ['train_loss', 'val_loss'], 'tick model learning curve');
      if (curve) artifacts.push(curve);
      return { metrics: { ...metrics, ...champion }, artifacts };
    },
  };
}
