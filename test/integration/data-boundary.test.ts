/**
 * The data root is a boundary, tested with the attacks that got through it, against the real Temporal dev server
 * and MLflow server: a synthetic seed that is a path, a link to a file outside the root, a linked folder that
 * leads outside, a `dir` under such a link, and a FIFO among the data files. Each run must fail at once and
 * non-retryably, end its MLflow run FAILED, register nothing, and leave the folder next to the root unchanged.
 * The root lives in `<base>/root`, so `<base>` holds everything an escape could reach.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { filterValue } from '../../src/mlflow';
import { resolveParams } from '../../src/workflows/shared/defaults';
import type { PipelineInput, PipelineName, StageRequest } from '../../src/workflows/shared/types';
import { failureOf } from '../helpers/failures';
import { depsFor, testConfig, usePipelineStack } from '../helpers/stack';
import { MNIST_NAMES, writeMnistSet, writePowerFile } from '../helpers/bad-data';
import { activitiesIn } from '../helpers/history';

const QUICK_MS = 15_000;
const SECRET = 'SECRET-LINE-do-not-echo-4711';

const base = require('node:fs').mkdtempSync(path.join(os.tmpdir(), 'dml-boundary-')) as string;
const outside = path.join(base, 'outside');

/** Every file and folder under `<base>` except the root: names, sizes and content hashes. */
async function snapshotOutsideRoot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (p === path.join(base, 'root')) continue;
      const st = await fs.lstat(p);
      if (e.isDirectory()) {
        out[p] = 'dir';
        await walk(p);
      } else out[p] = `${st.size}:${st.isFile() ? createHash('sha256').update(await fs.readFile(p)).digest('hex') : 'special'}`;
    }
  };
  await walk(base);
  return out;
}

/** Activities the workflow ran (local ones too), and the attempts that failed. */
async function activityHistory(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, string>();
  const failed: string[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    if (e.activityTaskFailedEventAttributes) failed.push(scheduled.get(String(e.activityTaskFailedEventAttributes.scheduledEventId)) ?? '?');
  }
  return { scheduled: activitiesIn(events).map((a) => a.name), failed };
}

describe('the data root is a boundary', () => {
  const stack = usePipelineStack(() => ({ ...testConfig(), dataRoot: path.join(base, 'root') }));
  const root = () => stack.config.dataRoot;

  beforeAll(async () => {
    await fs.mkdir(path.join(base, 'root', 'raw'), { recursive: true });
    // Outside the root: a secret, and data good enough to train on (so following a link would "work").
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.txt'), `${SECRET}\nsecond line\n`);
    await writePowerFile(outside, 20);
    await writeMnistSet(path.join(outside, 'mnist'));
  });

  afterAll(() => fs.rm(base, { recursive: true, force: true }));

  /** MLflow runs this workflow created: each must be FAILED with no model version. */
  async function expectNothingRegistered(pipeline: PipelineName, workflowId: string) {
    const experiment = await stack.mlflow.getExperimentByName(EXPERIMENT_OF[pipeline]);
    const runs = experiment ? await stack.mlflow.searchRuns([experiment.experiment_id], `tags.${RUN_TAGS.workflowId} = ${filterValue(workflowId)}`) : [];
    for (const run of runs) {
      expect(run.info.status).toBe('FAILED');
      expect(await stack.mlflow.searchModelVersions(`run_id = ${filterValue(run.info.run_id)}`)).toEqual([]);
    }
    return runs;
  }

  async function runAttack(pipeline: PipelineName, name: string, input: PipelineInput) {
    const before = await snapshotOutsideRoot();
    const t0 = Date.now();
    const handle = await stack.client.start(pipeline, { requestId: `boundary-${name}-${stack.config.taskQueues.cpu}`, input });
    const failure = await failureOf(handle.result());
    expect(Date.now() - t0).toBeLessThan(QUICK_MS);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('DataError');
    expect(failure.message).not.toContain(SECRET);
    const history = await activityHistory(handle);
    // The prepare failed on its one and only attempt: nothing trained, no slot held by retries.
    expect(history.failed).toHaveLength(1);
    expect(history.scheduled).not.toContain(pipeline === 'power' ? 'trainPowerModel' : `train${pipeline[0].toUpperCase()}${pipeline.slice(1)}Model`);
    const runs = await expectNothingRegistered(pipeline, handle.workflowId);
    expect(runs).toHaveLength(1);
    expect(await snapshotOutsideRoot()).toEqual(before);
    return failure;
  }

  it.each(['mnist', 'power'] as const)('%s: a synthetic seed that is a path is refused and writes nothing outside', async (pipeline) => {
    const before = await snapshotOutsideRoot();
    const workflowType = `${pipeline}Training`;
    const workflowId = `boundary-seed-${pipeline}-${stack.config.taskQueues.cpu}`;
    // Started around the client, like `temporal workflow start --input ...`: only the workflow and activities check it.
    const handle = await stack.client.client.workflow.start(workflowType, {
      workflowId,
      taskQueue: stack.config.taskQueues.cpu,
      args: [{ source: { kind: 'synthetic', size: 'tiny', seed: '1/../../../outside-mn' }, params: pipeline === 'mnist' ? { model: 'mlp', epochs: 1 } : {}, taskQueues: stack.config.taskQueues }],
    });
    const failure = await failureOf(handle.result());
    expect(failure.nonRetryable).toBe(true);
    // Refused at the workflow boundary (InvalidInput) where input is validated there, else by the prepare (DataError).
    expect(['DataError', 'InvalidInput']).toContain(failure.type);
    expect(failure.message).toMatch(/seed/);
    await expectNothingRegistered(pipeline, workflowId);
    expect(await snapshotOutsideRoot()).toEqual(before);
    await expect(fs.access(path.join(base, 'outside-mn'))).rejects.toThrow();
  });

  it.each(['mnist', 'power', 'tick'] as const)('%s prepare itself refuses a seed or size that is not from its list, whatever the workflow let through', async (pipeline) => {
    const activities = createActivities(depsFor(stack.config));
    const prepare = { mnist: activities.prepareMnist, power: activities.preparePower, tick: activities.prepareTicks }[pipeline];
    const env = new MockActivityEnvironment();
    const before = await snapshotOutsideRoot();
    const run = { runId: '0'.repeat(32), experimentId: '0', artifactUri: '', runUrl: '' };
    for (const [source, message] of [
      [{ kind: 'synthetic', seed: '1/../../../outside-mn' }, 'input.source.seed: synthetic seed "1/../../../outside-mn" is not a non-negative integer'],
      [{ kind: 'synthetic', seed: 1.5 }, 'input.source.seed: synthetic seed 1.5 is not a non-negative integer'],
      [{ kind: 'synthetic', size: '../../x' }, 'input.source.size: synthetic size "../../x" is not one of tiny, small'],
      [{ kind: 'files', dir: 42 }, 'input.source.dir: source.dir must be a path under the data root, got 42'],
    ] as const) {
      const req = { pipeline, run, input: { source }, params: resolveParams(pipeline) } as unknown as StageRequest;
      const err = await env.run(prepare, req).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe('DataError');
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
      expect((err as ApplicationFailure).message).toBe(message);
    }
    expect(await snapshotOutsideRoot()).toEqual(before);
  });

  it.each<{ pipeline: PipelineName; write: (dir: string) => Promise<string> }>([
    { pipeline: 'power', write: async (dir) => path.join(dir, 'power.txt') },
    { pipeline: 'tick', write: async (dir) => path.join(dir, 'ticks.csv') },
    {
      pipeline: 'mnist',
      write: async (dir) => {
        await writeMnistSet(dir);
        await fs.rm(path.join(dir, MNIST_NAMES.trainLabels));
        return path.join(dir, MNIST_NAMES.trainLabels);
      },
    },
  ])('$pipeline: a data file that is a link to a file outside the root is refused without echoing it', async ({ pipeline, write }) => {
    const dir = path.join(root(), 'raw', `link-file-${pipeline}`);
    await fs.mkdir(dir, { recursive: true });
    const link = await write(dir);
    await fs.symlink(path.join(outside, 'secret.txt'), link);
    const failure = await runAttack(pipeline, `link-file-${pipeline}`, { source: { kind: 'files', dir: `raw/link-file-${pipeline}` } });
    expect(failure.message).toContain(`${link}: path escapes the data root ${root()} through a symbolic link`);
  });

  it('power: a data folder that is a link to a folder outside the root is refused, though its data would train', async () => {
    await fs.symlink(outside, path.join(root(), 'raw', 'link-dir'));
    const failure = await runAttack('power', 'link-dir', { source: { kind: 'files', dir: 'raw/link-dir' } });
    expect(failure.message).toContain(`raw/link-dir: path escapes the data root ${root()} through a symbolic link (${path.join(root(), 'raw', 'link-dir')} leads to ${outside})`);
  });

  it.each(['mnist', 'cifar10'] as const)('%s: a dir under a linked folder creates nothing outside the root', async (pipeline) => {
    await fs.symlink(outside, path.join(root(), 'raw', `link-parent-${pipeline}`)).catch(() => undefined);
    const failure = await runAttack(pipeline, `link-parent-${pipeline}`, { source: { kind: 'files', dir: `raw/link-parent-${pipeline}/sub` } });
    expect(failure.message).toContain(`raw/link-parent-${pipeline}/sub: path escapes the data root`);
    await expect(fs.access(path.join(outside, 'sub'))).rejects.toThrow();
  });

  it('mnist: the default data folder being a link outside the root is refused too', async () => {
    await fs.symlink(path.join(outside, 'mnist'), path.join(root(), 'raw', 'mnist'));
    const failure = await runAttack('mnist', 'default-link', {});
    expect(failure.message).toContain('through a symbolic link');
    await fs.rm(path.join(root(), 'raw', 'mnist'));
  });

  it.each<{ pipeline: PipelineName; name: string; setup: (dir: string) => Promise<void> }>([
    { pipeline: 'power', name: 'power.txt', setup: async () => undefined },
    { pipeline: 'tick', name: 'ticks.csv', setup: async () => undefined },
    { pipeline: 'mnist', name: MNIST_NAMES.testImages, setup: async (dir) => void (await writeMnistSet(dir), await fs.rm(path.join(dir, MNIST_NAMES.testImages))) },
  ])('$pipeline: a FIFO among the data files fails at once, on the first attempt, without blocking a slot', async ({ pipeline, name, setup }) => {
    const dir = path.join(root(), 'raw', `fifo-${pipeline}`);
    await fs.mkdir(dir, { recursive: true });
    await setup(dir);
    execFileSync('mkfifo', [path.join(dir, name)]);
    const failure = await runAttack(pipeline, `fifo-${pipeline}`, { source: { kind: 'files', dir: `raw/fifo-${pipeline}` } });
    expect(failure.message).toContain(`${path.join(dir, name)}: refusing to read a named pipe (FIFO): only regular files are data`);
  });

  it('the worker stays healthy after the attacks: a good power run in the same root still trains', async () => {
    await writePowerFile(path.join(root(), 'raw', 'good'), 20);
    const handle = await stack.client.start('power', { requestId: `boundary-good-${stack.config.taskQueues.cpu}`, input: { source: { kind: 'files', dir: 'raw/good' }, params: { numBoostRound: 5 } } });
    const result = await handle.result();
    expect(result.metrics.test_rmse).toBeGreaterThan(0);
  });
});
