/**
 * The layout of the data root, in one place. Relative paths (resolved through DataRoot, src/data/paths.ts) for
 * what the prepare stage reads and writes; absolute ones for the per-run folders the training, registration and
 * clean-up steps share.
 *
 *   raw/<dataset>/                       input files (or a source.dir the input names)
 *   cache/downloads/<data set>/          MD5-checked downloads of the public data sets
 *   prepared/<pipeline>/<hash>/          prepared arrays + meta.json, reused while inputs and settings are unchanged
 *   checkpoints/<mlflow run id>/         training checkpoints of a running run
 *   checkpoints/finished/<time>-<run>/   the newest DML_KEEP_CHECKPOINTS finished runs' checkpoints
 *   models/<mlflow run id>/              the trained model files (kept when registered)
 */
import path from 'node:path';

/** Default raw folder of a data set, relative to the data root. */
export const rawDir = (dataset: string): string => path.join('raw', dataset);
/** Download cache of the public data sets, relative to the data root. */
export const DOWNLOAD_CACHE_DIR = path.join('cache', 'downloads');
/** Prepared data of a pipeline, relative to the data root (one subfolder per content hash). */
export const preparedDir = (pipeline: string): string => path.join('prepared', pipeline);

export function checkpointDirOf(dataRoot: string, mlflowRunId: string): string {
  return path.join(dataRoot, 'checkpoints', mlflowRunId);
}

export function finishedCheckpointsDir(dataRoot: string): string {
  return path.join(dataRoot, 'checkpoints', 'finished');
}

export function modelDirOf(dataRoot: string, mlflowRunId: string): string {
  return path.join(dataRoot, 'models', mlflowRunId);
}
