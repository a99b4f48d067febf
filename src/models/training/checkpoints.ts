/**
 * Training checkpoints of one run, under `<data root>/checkpoints/<mlflow run id>/`: one folder per position,
 * `ckpt-e<epochs done>-b<batches done in the next epoch>`, holding model.json + weights.bin (with the optimizer
 * state) and state.json (position, history, the epoch's running metric sums, a hash of each file).
 *
 * A checkpoint is written whole into a temporary folder, flushed, and published by one rename; the previous one
 * stays until the new one is complete (the two newest are kept). Loading takes the newest that reads back intact
 * and reports the ones it had to skip, so a torn or corrupt checkpoint costs one interval of work, never the run.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { syncDir, writeFileSynced } from '../fs-io';

const EpochRecordSchema = z.object({ epoch: z.number().int().min(1), metrics: z.record(z.string(), z.number()), time: z.number() });

export const CheckpointStateSchema = z.object({
  version: z.literal(1),
  /** Epochs finished. */
  epochsDone: z.number().int().min(0),
  /** Batches of epoch epochsDone + 1 already trained (in that epoch's seeded order). */
  batchesDone: z.number().int().min(0),
  /** Sums of batch metrics × batch size over those batches, so the epoch's mean covers the whole epoch. */
  partial: z.object({ samples: z.number().int().min(0), sums: z.record(z.string(), z.number()) }),
  history: z.array(EpochRecordSchema),
  /** sha256 of each model file, checked on load. */
  files: z.record(z.string(), z.string()).default({}),
});

export type CheckpointState = z.infer<typeof CheckpointStateSchema>;
export type CheckpointPosition = Pick<CheckpointState, 'epochsDone' | 'batchesDone'>;

const PREFIX = 'ckpt-';
const STATE_FILE = 'state.json';
/** The newest checkpoint and the one before it, to fall back to. */
const KEEP = 2;

const pad = (n: number) => String(n).padStart(6, '0');
export const checkpointName = (p: CheckpointPosition) => `${PREFIX}e${pad(p.epochsDone)}-b${pad(p.batchesDone)}`;

const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

/** Checkpoint folder names, newest first (the zero-padded names sort by position). */
async function checkpointNames(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries
    .filter((e) => e.isDirectory() && e.name.startsWith(PREFIX))
    .map((e) => e.name)
    .sort()
    .reverse();
}

/**
 * Writes a checkpoint: `writeModel` fills a temporary folder with the model files (flushed), then state.json
 * is added, the folder flushed and renamed into place. Older checkpoints beyond the previous one are removed.
 */
export async function writeCheckpoint(
  root: string,
  state: Omit<CheckpointState, 'version' | 'files'>,
  writeModel: (dir: string) => Promise<void>,
): Promise<string> {
  await fs.mkdir(root, { recursive: true });
  const tmp = path.join(root, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    await writeModel(tmp);
    const files: Record<string, string> = {};
    for (const name of (await fs.readdir(tmp)).sort()) files[name] = await sha256(path.join(tmp, name));
    const full: CheckpointState = { version: 1, ...state, files };
    await writeFileSynced(path.join(tmp, STATE_FILE), JSON.stringify(full));
    await syncDir(tmp);
    const final = path.join(root, checkpointName(state));
    // The same position saved twice (a stop right after a timed checkpoint): the new copy replaces the old.
    await fs.rm(final, { recursive: true, force: true });
    await fs.rename(tmp, final);
    await syncDir(root);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  for (const old of (await checkpointNames(root)).slice(KEEP)) await fs.rm(path.join(root, old), { recursive: true, force: true });
  return checkpointName(state);
}

export interface SkippedCheckpoint {
  checkpoint: string;
  reason: string;
}

export interface LoadedCheckpoint<T> {
  name: string;
  state: CheckpointState;
  loaded: T;
}

/**
 * The newest checkpoint that reads back intact (state valid, file hashes matching, `load` succeeding), and the
 * newer ones skipped on the way with their reasons. Temporary folders of a crashed save are removed.
 */
export async function loadLatestCheckpoint<T>(
  root: string,
  load: (dir: string, state: CheckpointState) => Promise<T>,
): Promise<{ latest?: LoadedCheckpoint<T>; skipped: SkippedCheckpoint[] }> {
  const skipped: SkippedCheckpoint[] = [];
  const entries = await fs.readdir(root).catch(() => [] as string[]);
  for (const name of entries.filter((e) => e.startsWith('.tmp-'))) await fs.rm(path.join(root, name), { recursive: true, force: true });
  for (const name of await checkpointNames(root)) {
    const dir = path.join(root, name);
    try {
      const state = CheckpointStateSchema.parse(JSON.parse(await fs.readFile(path.join(dir, STATE_FILE), 'utf8')));
      if (checkpointName(state) !== name) throw new Error(`state.json describes ${checkpointName(state)}`);
      for (const [file, hash] of Object.entries(state.files)) {
        if ((await sha256(path.join(dir, file))) !== hash) throw new Error(`${file} does not match its hash in state.json`);
      }
      return { latest: { name, state, loaded: await load(dir, state) }, skipped };
    } catch (err) {
      skipped.push({ checkpoint: name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { skipped };
}
