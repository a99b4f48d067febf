/**
 * The current champion's model files, fetched through MLflow: evaluation scores the champion on the challenger's own
 * test data with them, so a promotion compares two models on the same rows, bars or images.
 */
import path from 'node:path';
import { DataRoot } from '../data/paths';
import type { MlflowClient } from '../mlflow';
import { MODEL_POLICIES } from '../workflows/shared/gates';
import type { PipelineName } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { MODEL_ARTIFACT_PATH } from './model-folder';

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

async function artifactFiles(mlflow: MlflowClient, runId: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await mlflow.listArtifacts(runId, dir)) out.push(...(f.is_dir ? await artifactFiles(mlflow, runId, f.path) : [f.path]));
  return out;
}

/**
 * Downloads the champion's model once per version into `<data root>/models/champions/<model>-v<version>` (a
 * version's files never change, so a complete copy is reused). Undefined when the model has no champion yet.
 */
export async function fetchChampion({ mlflow, dataRoot, limits }: ActivityDeps, pipeline: PipelineName): Promise<ChampionModel | undefined> {
  const modelName = MODEL_POLICIES[pipeline].modelName;
  const current = await mlflow.getVersionByAlias(modelName, CHAMPION_ALIAS);
  if (!current?.run_id) return undefined;
  const root = await DataRoot.open(dataRoot, limits);
  const dir = path.join('models', 'champions', `${modelName}-v${current.version}`);
  const complete = path.join(dir, '.complete');
  if (!(await root.exists(complete))) {
    const { artifact_uri: artifactUri } = (await mlflow.getRun(current.run_id)).info;
    for (const file of await artifactFiles(mlflow, current.run_id, MODEL_ARTIFACT_PATH)) {
      const relative = path.posix.relative(MODEL_ARTIFACT_PATH, file);
      await root.mkdir(path.dirname(path.join(dir, relative)));
      await root.writeFile(path.join(dir, relative), await mlflow.downloadArtifact(artifactUri, file));
    }
    await root.writeFile(complete, '');
  }
  return { version: current.version, runId: current.run_id, dir: await root.resolve(dir) };
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
  const champion = await fetchChampion(deps, req.pipeline);
  if (!champion) return {};
  let scored: Record<string, number>;
  try {
    scored = await score(champion);
  } catch (err) {
    await deps.mlflow.setTag(req.run.runId, 'champion_not_scored', `v${champion.version}: ${(err as Error).message}`.slice(0, 500));
    return {};
  }
  const metrics = Object.fromEntries(Object.entries(scored).map(([k, v]) => [championKey(k), v]));
  await deps.mlflow.logBatch(req.run.runId, {
    metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: Date.now() })),
    tags: { champion_scored_version: champion.version },
  });
  return { ...metrics, [CHAMPION_VERSION_KEY]: Number(champion.version) };
}
