/**
 * What a training needs from other machines, reached through the MLflow artifact store (src/activities/remote-copy.ts)
 * so workers with separate data roots can take over each other's runs:
 *   - checkpoints: published to the run's artifacts (`checkpoints/`) after each local checkpoint; a retry whose
 *     data root has none fetches the newest before resuming.
 *   - prepared arrays: published once per content hash to the experiment's artifacts (`prepared/<pipeline>/<hash>/`)
 *     by the prepare stage; a training whose data root lacks them fetches them. Uploading beats re-preparing on the
 *     GPU machine: the raw inputs (a user's raw folder, a download cache) live on the machine that prepared.
 *   - the trained model: published once, at the end of training, as the run's `model` artifact (the MLflow model that
 *     registration registers, so it is not uploaded twice); evaluate fetches it when its data root lacks it.
 * Once training completes, the run's published checkpoints are deleted: only a retry of an unfinished training reads them.
 */
import { Context } from '@temporalio/activity';
import fs from 'node:fs/promises';
import path from 'node:path';
import { META } from '../data/arrays';
import { modelDirOf, preparedDir } from '../data/layout';
import { DataRoot } from '../data/paths';
import type { MlflowClient } from '../mlflow';
import type { PreparedData, StageRequest, TrackingRun, TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { MODEL_ARTIFACT_PATH } from './model-folder';
import { fetchLatest, holdsFiles, publishVersion, readFolder, readPointer, type RemoteFolder } from './remote-copy';

export const CHECKPOINTS_ARTIFACT_PATH = 'checkpoints';
/** The single version name of a prepared folder: its content hash is already in the prefix. */
const PREPARED_VERSION = 'arrays';

/**
 * Where a run's checkpoints are published; none when every worker mounts the same data root (DML_DATA_ROOT_SHARED):
 * a retry anywhere finds them on disk, so no upload, fetch or delete is needed.
 */
export function checkpointsRemote({ mlflow, dataRootShared }: Pick<ActivityDeps, 'mlflow' | 'dataRootShared'>, run: TrackingRun): RemoteFolder | undefined {
  return dataRootShared ? undefined : { mlflow, artifactUri: run.artifactUri, prefix: CHECKPOINTS_ARTIFACT_PATH };
}

/** A retry on a machine without the run's checkpoints: the newest published one, fetched into `checkpointDir`. */
export async function fetchCheckpointIfMissing(remote: RemoteFolder | undefined, checkpointDir: string): Promise<string | undefined> {
  if (!remote) return undefined;
  const local = (await fs.readdir(checkpointDir)).filter((name) => name.startsWith('ckpt-'));
  if (local.length > 0) return undefined;
  const fetched = await fetchLatest(remote, (version) => path.join(checkpointDir, version));
  return fetched && path.basename(fetched);
}

/**
 * Prepared data is keyed by content, not by run: it goes next to the experiment's runs (`mlflow-artifacts:/<exp>`),
 * so a dataset reused by a thousand runs is stored once. A URI of another shape keeps it with the run.
 */
function preparedRemote(mlflow: MlflowClient, run: TrackingRun, pipeline: string, hash: string): RemoteFolder {
  const suffix = `/${run.runId}/artifacts`;
  const artifactUri = run.artifactUri.endsWith(suffix) ? run.artifactUri.slice(0, -suffix.length) : run.artifactUri;
  return { mlflow, artifactUri, prefix: `${preparedDir(pipeline)}/${hash}` };
}

/**
 * Publishes a prepared folder unless its hash already is (one pointer read per prepare when it is), so a training on
 * a machine with another data root finds the arrays too; nothing to do when every worker mounts this data root.
 */
export async function sharePrepared({ mlflow, dataRootShared }: Pick<ActivityDeps, 'mlflow' | 'dataRootShared'>, req: StageRequest, dir: string): Promise<void> {
  if (dataRootShared) return;
  const remote = preparedRemote(mlflow, req.run, req.pipeline, path.basename(dir));
  if (await readPointer(remote)) return;
  await publishVersion(remote, PREPARED_VERSION, await readFolder(dir), () => Context.current().heartbeat());
}

/**
 * The prepared folder under this worker's data root: the one the prepare stage wrote when the root is shared,
 * otherwise fetched from the artifact store into the same relative place (the local disk caches it for later runs).
 */
export async function localPrepared(root: DataRoot, mlflow: MlflowClient, req: StageRequest & { prepared: PreparedData }): Promise<string> {
  const hash = path.basename(req.prepared.dir);
  const local = await root.resolve(path.join(preparedDir(req.pipeline), hash));
  if (await root.exists(path.join(preparedDir(req.pipeline), hash, META))) return local;
  await root.mkdir(preparedDir(req.pipeline));
  const fetched = await fetchLatest(preparedRemote(mlflow, req.run, req.pipeline, hash), () => local);
  if (!fetched) {
    throw new Error(`prepared data ${req.prepared.dir} is not under this worker's data root ${root.dir} and was never published to MLflow's artifact store`);
  }
  return fetched;
}

/** Deletes the run's published checkpoints (best effort: a leftover costs storage, never correctness). */
export async function deletePublishedCheckpoints(remote: RemoteFolder | undefined, onError: (err: unknown) => void): Promise<void> {
  await remote?.mlflow.deleteArtifact(remote.artifactUri, remote.prefix).catch(onError);
}

/**
 * The model goes to `model/<file>`, where MLflow expects a run's model; its pointer (`model.sha256.json`, file hashes,
 * written last) sits beside that folder rather than in it, so the registered model holds the model's files only.
 */
function modelRemote(mlflow: MlflowClient, run: TrackingRun): RemoteFolder {
  return { mlflow, artifactUri: run.artifactUri, prefix: '', pointer: `${MODEL_ARTIFACT_PATH}.sha256.json` };
}

/**
 * Publishes the completed model folder as the run's `model` artifact; returns its URI and each file's sha256 (for the
 * trainer's result). A retried training overwrites the same paths and pointer, so registration (which reads only the
 * URI) sees one model either way.
 */
export async function publishModel(mlflow: MlflowClient, run: TrackingRun, dir: string): Promise<Pick<TrainedModel, 'modelUri' | 'modelFiles'>> {
  const nested = (await fs.readdir(dir, { withFileTypes: true })).find((entry) => !entry.isFile());
  // readFolder copies regular files only: a subfolder (or link) would silently be missing on the other machines.
  if (nested) throw new Error(`model folder ${dir} holds '${nested.name}', which is not a regular file; models are flat folders`);
  const pointer = await publishVersion(modelRemote(mlflow, run), MODEL_ARTIFACT_PATH, await readFolder(dir), () => Context.current().heartbeat());
  return { modelUri: `${run.artifactUri}/${MODEL_ARTIFACT_PATH}`, modelFiles: pointer.files };
}

/**
 * The trained model's folder under this worker's data root: the one there when it holds exactly the files the
 * training returned (the trainer's own, on a shared root: no download), otherwise fetched from the run's `model`
 * artifact into the same relative place. Hashes, not mere presence: a folder left by an attempt on this machine that
 * died before its retry elsewhere finished may hold other weights, or a part of them.
 * A model from before models were published (no `modelUri`) is read where its trainer left it, as it always was.
 */
async function localModel(root: DataRoot, dataRoot: string, mlflow: MlflowClient, req: { run: TrackingRun; model: TrainedModel }): Promise<string> {
  if (!req.model.modelUri) return req.model.dir;
  const local = await root.resolve(modelDirOf(dataRoot, req.run.runId));
  if (req.model.modelFiles && (await holdsFiles(local, req.model.modelFiles))) return local;
  await root.mkdir(path.dirname(local));
  const fetched = await fetchLatest(modelRemote(mlflow, req.run), () => local);
  if (!fetched) throw new Error(`trained model ${req.model.dir} is not under this worker's data root ${root.dir} and ${req.model.modelUri} has no published files`);
  return fetched;
}

/** What evaluation reads, under this worker's data root: the prepared arrays and the trained model (fetched when made elsewhere). */
export async function localStageFiles(
  { mlflow, dataRoot, limits }: ActivityDeps,
  req: StageRequest & { prepared: PreparedData; model: TrainedModel },
): Promise<{ preparedDir: string; modelDir: string }> {
  const root = await DataRoot.open(dataRoot, limits);
  return { preparedDir: await localPrepared(root, mlflow, req), modelDir: await localModel(root, dataRoot, mlflow, req) };
}
