/**
 * The checkpoint store (src/models/training/checkpoints.ts) on a real folder, with faults at each step of a save:
 * a crash before the rename, a newest checkpoint whose files are cut short, missing or altered, a state that
 * belongs to another position. Loading always ends on the newest intact checkpoint, or none, never an error.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkpointName, loadLatestCheckpoint, writeCheckpoint } from '../../src/models/training/checkpoints';
import type { LoopPosition as LoopPositionLike } from '../../src/models/training/loop';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'dml-checkpoints-'));
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

const at = (epochsDone: number, batchesDone: number): LoopPositionLike => ({
  epochsDone,
  batchesDone,
  partial: { samples: batchesDone * 32, sums: { loss: batchesDone } },
  history: Array.from({ length: epochsDone }, (_, i) => ({ epoch: i + 1, metrics: { train_loss: 1 / (i + 1) }, time: i })),
});

/** Stands in for the model files: the payload names the position, so a load shows which checkpoint it read. */
const fakeModel = (label: string) => async (dir: string) => {
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ label }));
  await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.alloc(64, label.length));
};
const readModel = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')).label as string;
const names = async () => (await fs.readdir(root)).sort();

it('publishes each checkpoint whole and keeps only the newest and the one before it', async () => {
  await writeCheckpoint(root, at(1, 0), fakeModel('a'));
  await writeCheckpoint(root, at(1, 7), fakeModel('b'));
  await writeCheckpoint(root, at(2, 0), fakeModel('c'));
  expect(await names()).toEqual([checkpointName(at(1, 7)), checkpointName(at(2, 0))]);
  const { latest, skipped } = await loadLatestCheckpoint(root, readModel);
  expect(skipped).toEqual([]);
  expect(latest).toMatchObject({ name: 'ckpt-e000002-b000000', loaded: 'c', state: { epochsDone: 2, batchesDone: 0, partial: { samples: 0 } } });
  expect(latest!.state.history).toHaveLength(2);
});

it('a save that fails half-way leaves the previous checkpoint as the newest, and no temporary folder', async () => {
  await writeCheckpoint(root, at(1, 0), fakeModel('a'));
  await expect(
    writeCheckpoint(root, at(1, 5), async (dir) => {
      await fakeModel('b')(dir);
      throw new Error('disk full');
    }),
  ).rejects.toThrow('disk full');
  expect(await names()).toEqual(['ckpt-e000001-b000000']);
  expect((await loadLatestCheckpoint(root, readModel)).latest?.loaded).toBe('a');
});

it('a process killed before the rename leaves a temporary folder that loading ignores and removes', async () => {
  await writeCheckpoint(root, at(1, 0), fakeModel('a'));
  await fs.mkdir(path.join(root, '.tmp-4242-deadbeef'));
  await fakeModel('half')(path.join(root, '.tmp-4242-deadbeef'));
  const { latest, skipped } = await loadLatestCheckpoint(root, readModel);
  expect([latest?.loaded, skipped]).toEqual(['a', []]);
  expect(await names()).toEqual(['ckpt-e000001-b000000']);
});

describe('an unreadable newest checkpoint falls back to the previous one and says why', () => {
  const corruptions: Array<[string, (dir: string) => Promise<void>, RegExp]> = [
    ['weights cut short', (d) => fs.truncate(path.join(d, 'weights.bin'), 10), /weights\.bin does not match its hash/],
    ['weights altered in place', (d) => fs.writeFile(path.join(d, 'weights.bin'), Buffer.alloc(64, 9)), /weights\.bin does not match its hash/],
    ['model files gone (the old state-points-at-a-missing-model crash)', (d) => fs.rm(path.join(d, 'model.json')), /model\.json/],
    ['state.json missing', (d) => fs.rm(path.join(d, 'state.json')), /state\.json/],
    ['state.json torn', (d) => fs.writeFile(path.join(d, 'state.json'), '{"version":1,"epochsDo'), /JSON/],
    ['state.json of another position', async (d) => {
      const state = JSON.parse(await fs.readFile(path.join(d, 'state.json'), 'utf8'));
      await fs.writeFile(path.join(d, 'state.json'), JSON.stringify({ ...state, batchesDone: 3 }));
    }, /describes ckpt-e000001-b000003/],
    ['state.json with a negative position', async (d) => {
      const state = JSON.parse(await fs.readFile(path.join(d, 'state.json'), 'utf8'));
      await fs.writeFile(path.join(d, 'state.json'), JSON.stringify({ ...state, epochsDone: -1 }));
    }, /epochsDone/],
  ];
  it.each(corruptions)('%s', async (_what, corrupt, reason) => {
    await writeCheckpoint(root, at(1, 0), fakeModel('previous'));
    const newest = await writeCheckpoint(root, at(1, 9), fakeModel('newest'));
    await corrupt(path.join(root, newest));
    const { latest, skipped } = await loadLatestCheckpoint(root, readModel);
    expect(latest?.loaded).toBe('previous');
    expect(skipped).toEqual([{ checkpoint: 'ckpt-e000001-b000009', reason: expect.stringMatching(reason) }]);
  });
});

it('with nothing readable it reports every checkpoint skipped and returns none (a fresh start, not a failure)', async () => {
  await writeCheckpoint(root, at(1, 0), fakeModel('a'));
  await writeCheckpoint(root, at(2, 0), fakeModel('b'));
  for (const name of await names()) await fs.rm(path.join(root, name, 'weights.bin'));
  const { latest, skipped } = await loadLatestCheckpoint(root, readModel);
  expect(latest).toBeUndefined();
  expect(skipped.map((s) => s.checkpoint)).toEqual(['ckpt-e000002-b000000', 'ckpt-e000001-b000000']);
  expect(await loadLatestCheckpoint(path.join(root, 'absent'), readModel)).toEqual({ skipped: [] });
});
