/**
 * What a run leaves under the data root once it has ended. Checkpoints exist only so a retried training resumes;
 * after the run's final state they are dead weight (a 365-day backfill would keep 365 of them), so they go, except
 * the newest `keepCheckpoints` finished runs' (kept under checkpoints/finished/ for inspection). The model folder
 * stays only when the model was registered; MLflow holds every run's model as an artifact anyway.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkpointDirOf, finishedCheckpointsDir, modelDirOf } from '../data/layout';

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

export async function cleanUpRunFiles(dataRoot: string, runId: string, opts: { keepCheckpoints: number; keepModel: boolean }): Promise<void> {
  const checkpoint = checkpointDirOf(dataRoot, runId);
  if (opts.keepCheckpoints > 0 && (await exists(checkpoint))) {
    const finished = finishedCheckpointsDir(dataRoot);
    await fs.mkdir(finished, { recursive: true });
    // The time prefix orders kept checkpoints oldest first; a retry of this cleanup finds the folder already moved.
    await fs.rename(checkpoint, path.join(finished, `${Date.now()}-${runId}`));
    const kept = (await fs.readdir(finished)).sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - opts.keepCheckpoints))) {
      await fs.rm(path.join(finished, old), { recursive: true, force: true });
    }
  }
  await fs.rm(checkpoint, { recursive: true, force: true });
  if (!opts.keepModel) await fs.rm(modelDirOf(dataRoot, runId), { recursive: true, force: true });
}
