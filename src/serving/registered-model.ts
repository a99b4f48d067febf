/**
 * A registered model by reference (`name@alias` or `name@<version>`), resolved through MLflow's registry and
 * downloaded through the server's artifact proxy into a cache under the data root. Versions are immutable, so a
 * cached copy is reused; an alias is resolved on every call (it moves).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import type { DataLimits } from '../data/limits';
import { DataRoot } from '../data/paths';
import { MLMODEL_FILE, MlflowClient, type ModelVersion } from '../mlflow';
import { PredictError } from './errors';

export interface ModelRef {
  name: string;
  alias?: string;
  version?: string;
}

export interface DownloadedModel {
  name: string;
  version: string;
  runId: string;
  dir: string;
  /** The parsed MLmodel YAML. */
  mlmodel: { flavors: Record<string, unknown>; signature?: { inputs?: string; outputs?: string } };
}

export function parseModelRef(text: string): ModelRef {
  const m = /^([^@\s]+)@([A-Za-z0-9_-]+)$/.exec(text);
  if (!m) throw new PredictError(`model '${text}' is not <name>@<alias> or <name>@<version> (e.g. power-consumption-model@champion)`);
  return /^\d+$/.test(m[2]) ? { name: m[1], version: m[2] } : { name: m[1], alias: m[2] };
}

export async function resolveModelVersion(ml: MlflowClient, ref: ModelRef): Promise<ModelVersion> {
  if (ref.version) return ml.getModelVersion(ref.name, ref.version);
  const version = await ml.getVersionByAlias(ref.name, ref.alias!);
  if (!version) throw new PredictError(`registered model '${ref.name}' has no alias '${ref.alias}' (see \`durable-ml models\`)`);
  return version;
}

/** Every file under `prefix` of the run's artifacts, as paths relative to the run's artifact root. */
async function listTree(ml: MlflowClient, runId: string, prefix: string): Promise<string[]> {
  const files: string[] = [];
  for (const f of await ml.listArtifacts(runId, prefix)) files.push(...(f.is_dir ? await listTree(ml, runId, f.path) : [f.path]));
  return files;
}

export async function downloadRegisteredModel(ml: MlflowClient, ref: ModelRef, dataRoot: string): Promise<DownloadedModel> {
  return downloadModelVersion(ml, await resolveModelVersion(ml, ref), dataRoot);
}

/**
 * A registered model version's files, through the MLflow server, in `<data root>/cache/models/<name>/v<version>`:
 * the one download used by `durable-ml predict` and by evaluation/warm start (src/activities/champion-model.ts).
 * A version's files never change, so a complete copy is reused.
 */
export async function downloadModelVersion(ml: MlflowClient, version: ModelVersion, dataRoot: string, limits?: DataLimits): Promise<DownloadedModel> {
  const name = version.name;
  if (!version.run_id || !version.source) throw new PredictError(`${name} v${version.version} has no run or source to download`);
  const run = await ml.getRun(version.run_id);
  const runRoot = run.info.artifact_uri;
  if (!version.source.startsWith(`${runRoot}/`)) throw new PredictError(`${name} v${version.version}: source ${version.source} is not among run ${version.run_id}'s artifacts`);
  const folder = version.source.slice(runRoot.length + 1);

  const root = await DataRoot.open(dataRoot, limits);
  const dir = path.join(await root.mkdir(path.join('cache', 'models', encodeURIComponent(name))), `v${version.version}`);
  if (!(await root.exists(path.join(dir, MLMODEL_FILE)))) {
    // Into a fresh folder, renamed into place once complete: an interrupted download is never mistaken for a model.
    const tmp = await root.mkdtemp(path.dirname(dir), `v${version.version}.tmp-`);
    try {
      for (const file of await listTree(ml, version.run_id, folder)) {
        await root.writeFile(path.join(tmp, path.relative(folder, file)), await ml.downloadArtifact(runRoot, file));
      }
      await fs.rename(tmp, dir).catch(async (e) => {
        // A concurrent download (two evaluations of a backfill) finished first: use its copy, do not pull it away.
        if (await root.exists(path.join(dir, MLMODEL_FILE))) return;
        if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
        await fs.rm(dir, { recursive: true, force: true });
        await fs.rename(tmp, dir);
      });
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }
  const mlmodel = YAML.parse(await root.readText(path.join(dir, MLMODEL_FILE)));
  return { name, version: version.version, runId: version.run_id, dir, mlmodel };
}
