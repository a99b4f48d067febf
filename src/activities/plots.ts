/** Plots logged as MLflow artifacts under `plots/`, built from what MLflow already holds where possible. */
import type { MlflowClient } from '../mlflow';
import { computeOf, type ActivityDeps } from './deps';
import type { TrackingRun } from '../workflows/shared/types';

export async function logPlot(mlflow: MlflowClient, run: TrackingRun, name: string, png: Buffer): Promise<string> {
  const artifact = `plots/${name}.png`;
  await mlflow.uploadArtifact(run.artifactUri, artifact, png);
  return artifact;
}

/** Learning curve from the run's per-epoch metric history, so a resumed training still plots every epoch once. */
export async function logLearningCurve(deps: Pick<ActivityDeps, 'mlflow' | 'compute'>, run: TrackingRun, keys: string[], title: string): Promise<string | undefined> {
  const { mlflow } = deps;
  const byEpoch = new Map<number, Record<string, number>>();
  for (const key of keys) {
    for (const point of await mlflow.getMetricHistory(run.runId, key)) {
      byEpoch.set(point.step, { ...byEpoch.get(point.step), [key]: point.value });
    }
  }
  if (byEpoch.size === 0) return undefined;
  const history = [...byEpoch.entries()].sort(([a], [b]) => a - b).map(([epoch, metrics]) => ({ epoch, metrics }));
  return logPlot(mlflow, run, 'learning_curve', await computeOf(deps).run('learningCurvePng', history, { title }));
}
