/** Evaluation of the image classifiers (CPU queue): test accuracy, loss, per-class precision/recall/F1, confusion matrix. */
import { Context } from '@temporalio/activity';
import { readArray } from '../data/arrays';
import { classificationReport } from '../models/metrics';
import { predictInThread } from '../models/training/predict';
import { paramsOf, type Evaluation, type PreparedData, type StageRequest, type TrainedModel } from '../workflows/shared/types';
import { computeOf, type ActivityDeps } from './deps';
import { onceTimestamp } from './tracking';
import { logLearningCurve, logPlot } from './plots';
import { scoreChampion } from './champion-model';
import { localStageFiles } from './shared-run-files';

const CLASSES = 10;

export function classifierEvaluation(deps: ActivityDeps) {
  const { mlflow } = deps;
  return {
    async evaluateClassifier(req: StageRequest & { prepared: PreparedData; model: TrainedModel }): Promise<Evaluation> {
      // Trained (or prepared) on another machine, the files come through MLflow's artifact store.
      const { preparedDir, modelDir } = await localStageFiles(deps, req);
      const probabilities = await predictInThread(modelDir, preparedDir, 'x_test', Context.current().cancellationSignal);
      const { data: labels } = await readArray(preparedDir, 'y_test');
      const report = classificationReport(probabilities, labels, CLASSES);
      const metrics: Record<string, number> = {
        test_accuracy: report.accuracy,
        test_loss: report.logLoss,
        test_macro_f1: report.macroF1,
      };
      report.perClass.forEach((c, k) => {
        metrics[`test_precision_${k}`] = c.precision;
        metrics[`test_recall_${k}`] = c.recall;
        metrics[`test_f1_${k}`] = c.f1;
      });
      await mlflow.logMetrics(req.run.runId, metrics, paramsOf(req, 'mnist', 'cifar10').epochs, onceTimestamp());
      // The champion classifies the same test images.
      const champion = await scoreChampion(deps, req, async ({ dir }) => {
        const theirs = classificationReport(await predictInThread(dir, preparedDir, 'x_test', Context.current().cancellationSignal), labels, CLASSES);
        return { test_accuracy: theirs.accuracy, test_loss: theirs.logLoss, test_macro_f1: theirs.macroF1 };
      });
      const artifacts = ['evaluation/classification_report.json'];
      await mlflow.uploadArtifact(req.run.artifactUri, artifacts[0], JSON.stringify(report, null, 2));
      const labels_ = Array.from({ length: CLASSES }, (_, k) => String(k));
      artifacts.push(await logPlot(mlflow, req.run, 'confusion_matrix', await computeOf(deps).run('confusionMatrixPng', report.confusion, labels_, { title: `${req.pipeline} test confusion matrix` })));
      const curve = await logLearningCurve(deps, req.run, ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'], `${req.pipeline} learning curve`);
      if (curve) artifacts.push(curve);
      return { metrics: { test_accuracy: report.accuracy, test_loss: report.logLoss, test_macro_f1: report.macroF1, ...champion }, artifacts };
    },
  };
}
