/**
 * The shared shape of every prepare activity: hash the raw inputs, reuse prepared data whose inputs are
 * unchanged, otherwise build it, and record in MLflow what was used. Only a reference leaves the activity.
 */
import { preparedDir } from '../../data/layout';
import path from 'node:path';
import { META, readMeta, StoredArray, writeArrays } from '../../data/arrays';
import { folderOnce } from '../../data/once';
import type { DataRoot } from '../../data/paths';
import type { PreparedData, StageRequest } from '../../workflows/shared/types';
import type { ActivityDeps } from '../deps';
import { sharePrepared } from '../shared-run-files';

export interface PrepareSpec {
  dataset: string;
  rawFiles: string[];
  /** Everything besides the raw bytes that changes the prepared output (split fractions, window, seed...). */
  settings: Record<string, unknown>;
  build: () => Promise<{ arrays: Record<string, StoredArray>; info: Record<string, unknown> }>;
}

export async function preparedOnce(root: DataRoot, deps: ActivityDeps, req: StageRequest, spec: PrepareSpec): Promise<PreparedData> {
  const { mlflow } = deps;
  const hash = await root.hashFiles(spec.rawFiles, JSON.stringify(spec.settings));
  // Checked like any other path: a prepared folder that is a link out of the root is refused, not read or replaced.
  const { dir, built } = await folderOnce(
    root,
    path.join(await root.mkdir(preparedDir(req.pipeline)), hash.slice(0, 16)),
    async (tmp) => {
      const { arrays, info } = await spec.build();
      await writeArrays(tmp, arrays, { ...info, dataset: spec.dataset, inputHash: hash, settings: spec.settings });
    },
    META,
  );
  const reused = !built;
  await sharePrepared(deps, req, dir);
  const meta = await readMeta(dir);
  const counts = Object.fromEntries(
    Object.entries(meta.arrays)
      .filter(([name]) => name.startsWith('y_'))
      .map(([name, shape]) => [`n_${name.slice(2)}`, shape[0]]),
  );
  await mlflow.logBatch(req.run.runId, {
    params: { dataset: spec.dataset, data_hash: hash.slice(0, 16), ...counts },
    tags: { prepared_data: dir, prepared_reused: String(reused) },
  });
  return { dir, dataset: spec.dataset, counts, reused };
}
