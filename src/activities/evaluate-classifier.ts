/** Evaluation of the image classifiers (CPU queue): test accuracy, loss, per-class precision/recall/F1, confusion matrix. */
import { Context } from '@temporalio/activity';
import { readArray } from '../data/arrays';
import { classificationReport } from '../models/metrics';
import { predictInThread } from '../models/training/predict';
import type { Evaluation, PreparedData, StageRequest, TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';

const CLASSES = 10;

export function classifierEvaluation({ mlflow }: ActivityDeps) {
  return {
    async evaluateClassifier(req: StageRequest & { prepared: PreparedData; model: TrainedModel }): Promise<Evaluation> {
      const probabilities = await predictInThread(req.model.dir, req.prepared.dir, 'x_test', Context.current().cancellationSignal);
      const { data: labels } = await readArray(req.prepared.dir, 'y_test');
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
      await mlflow.logMetrics(req.run.runId, metrics, Number(req.params.epochs));
      const artifacts = ['evaluation/classification_report.json'];
      await mlflow.uploadArtifact(req.run.artifactUri, artifacts[0], JSON.stringify(report, null, 2));
      return { metrics: { test_accuracy: report.accuracy, test_loss: report.logLoss, test_macro_f1: report.macroF1 }, artifacts };
    },
  };
}
