/**
 * Which weights a tfjs training starts from when its input asks for `warmStart: 'champion'` (tick-intraday's
 * fine-tuning): the current champion's, fetched through MLflow; without a champion, fresh ones, and the run says so.
 * The MLflow param `warm_start_version` records the champion version it started from ('none' for fresh weights).
 */
import { log } from '@temporalio/activity';
import type { StageRequest } from '../workflows/shared/types';
import { fetchChampion } from './champion-model';
import { downloadModelVersion } from '../serving/registered-model';
import { MODEL_POLICIES } from '../workflows/shared/gates';
import type { ActivityDeps } from './deps';

export const WARM_START_PARAM = 'warm_start_version';

/** The model folder to start from, or undefined for fresh weights. */
export async function warmStartDir(deps: ActivityDeps, req: StageRequest): Promise<string | undefined> {
  if ((req.input as { warmStart?: string }).warmStart !== 'champion') return undefined;
  // A retry starts from the weights the first attempt chose (params are immutable, and its checkpoints grew from
  // them), even if the champion has moved since.
  const chosen = (await deps.mlflow.getRun(req.run.runId)).data.params?.find((p) => p.key === WARM_START_PARAM)?.value;
  if (chosen === 'none') return undefined;
  if (chosen !== undefined) {
    const modelName = MODEL_POLICIES[req.pipeline].modelName;
    return (await downloadModelVersion(deps.mlflow, await deps.mlflow.getModelVersion(modelName, chosen), deps.dataRoot, deps.limits)).dir;
  }
  const champion = await fetchChampion(deps, req.pipeline);
  if (!champion) {
    const reason = 'no champion yet: trained from fresh weights';
    log.warn('warm start asked for, but there is no champion', { pipeline: req.pipeline, reason });
    await deps.mlflow.logBatch(req.run.runId, { params: { [WARM_START_PARAM]: 'none' }, tags: { warm_start: reason } });
    return undefined;
  }
  log.info('warm start from the champion', { version: champion.version, runId: champion.runId });
  await deps.mlflow.logBatch(req.run.runId, {
    params: { [WARM_START_PARAM]: champion.version },
    tags: { warm_start: `champion v${champion.version} (run ${champion.runId})` },
  });
  return champion.dir;
}
