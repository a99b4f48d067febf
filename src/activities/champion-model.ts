/**
 * The current champion's model files, fetched through MLflow: evaluation scores the champion on the challenger's own
 * test data with them, so a promotion compares two models on the same rows, bars or images.
 */
import { downloadModelVersion } from '../serving/registered-model';
import { MODEL_POLICIES } from '../workflows/shared/gates';
import type { PipelineName } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { onceTimestamp } from './tracking';

export const CHAMPION_ALIAS = 'champion';

export interface ChampionModel {
  version: string;
  runId: string;
  /** Local folder (under the data root) holding the champion's `model/` artifacts. */
  dir: string;
}

/** Metric names of the champion scored on the challenger's data: `champion_<metric>` next to `<metric>`. */
export const championKey = (metric: string) => `champion_${metric}`;
/** Which champion version the `champion_*` metrics were measured with (a number, so it travels with the metrics). */
export const CHAMPION_VERSION_KEY = 'champion_version';

/**
 * The current champion's files, downloaded once per version through MLflow (the same download as `durable-ml
 * predict`'s, src/serving/registered-model.ts). Undefined when the model has no champion yet.
 */
export async function fetchChampion({ mlflow, dataRoot, limits }: ActivityDeps, pipeline: PipelineName): Promise<ChampionModel | undefined> {
  const current = await mlflow.getVersionByAlias(MODEL_POLICIES[pipeline].modelName, CHAMPION_ALIAS);
  if (!current?.run_id) return undefined;
  const { version, runId, dir } = await downloadModelVersion(mlflow, current, dataRoot, limits);
  return { version, runId, dir };
}

/**
 * Scores the current champion with `score` on the challenger's test data and logs `champion_<metric>` beside the
 * challenger's metrics. A champion that cannot be scored on this data (files missing, other input shape) is reported
 * in the `champion_not_scored` tag and the promotion falls back to the champion's own recorded metric.
 */
export async function scoreChampion(
  deps: ActivityDeps,
  req: { pipeline: PipelineName; run: { runId: string } },
  score: (champion: ChampionModel) => Promise<Record<string, number>>,
): Promise<Record<string, number>> {
  let champion: ChampionModel | undefined;
  let scored: Record<string, number>;
  try {
    // Fetching belongs inside: a champion whose files cannot be downloaded or read is "not scored", not a failed evaluation.
    champion = await fetchChampion(deps, req.pipeline);
    if (!champion) return {};
    scored = await score(champion);
  } catch (err) {
    const which = champion ? `v${champion.version}` : 'the champion';
    await deps.mlflow.setTag(req.run.runId, 'champion_not_scored', `${which}: ${(err as Error).message}`.slice(0, 500));
    return {};
  }
  const metrics = Object.fromEntries(Object.entries(scored).map(([k, v]) => [championKey(k), v]));
  await deps.mlflow.logBatch(req.run.runId, {
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: onceTimestamp() })),
    tags: { champion_scored_version: champion.version },
  });
  return { ...metrics, [CHAMPION_VERSION_KEY]: Number(champion.version) };
}
