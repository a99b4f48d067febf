/**
 * The durable-ml CLI end to end: the compiled CLI runs as a child process against the test stack, with this
 * file's own task queues and data root, so the in-process workers below are the ones that run its workflows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppConfig } from '../../src/config';
import { PipelineClient } from '../../src/client';
import { cli } from '../helpers/cli';
import { eventually, pipelineClient, RunningWorkers, startWorkers, testConfig } from '../helpers/stack';

describe('durable-ml CLI', () => {
  let config: AppConfig;
  let workers: RunningWorkers;
  let client: PipelineClient;
  let scheduleFile: string;
  const suffix = () => config.taskQueues.cpu.replace(/^test-cpu-/, '');
  const scheduleId = () => `cli-test-${suffix()}`;
  let workflowId = '';
  let mlflowRunId = '';

  beforeAll(async () => {
    config = testConfig();
    workers = await startWorkers(config, ['cpu', 'gpu']);
    client = await pipelineClient(config);
    scheduleFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dml-cli-')), 'schedules.json');
    const entry = {
      id: scheduleId(),
      pipeline: 'power',
      cron: ['0 1 * * *'],
      timeZone: 'UTC',
      paused: true,
      note: 'cli test',
      input: { source: { kind: 'synthetic', size: 'tiny' }, params: { numBoostRound: 10 } },
    };
    fs.writeFileSync(scheduleFile, JSON.stringify({ schedules: [entry] }));
  });

  afterAll(async () => {
    await client?.client.schedule.getHandle(scheduleId()).delete().catch(() => undefined);
    await workers?.stop();
    await client?.close();
  });

  it('--help exits 0 and describes the commands', async () => {
    const top = await cli(config, ['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['start', 'status', 'list', 'schedules', 'backfill', 'models', 'predict']) expect(top.stdout).toContain(cmd);
    const start = await cli(config, ['start', '--help']);
    expect(start.code).toBe(0);
    expect(start.stdout).toContain('--param');
  });

  it('rejects an unknown parameter with a usage error listing the known ones', async () => {
    const run = await cli(config, ['start', 'power', '--param', 'nope=1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown parameter 'nope'");
    expect(run.stderr).toContain('numBoostRound');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names the unreachable service and how to start the stack', async () => {
    const ml = await cli(config, ['models'], { MLFLOW_TRACKING_URI: 'http://127.0.0.1:1' });
    expect(ml.code).toBe(1);
    expect(ml.stderr).toContain('http://127.0.0.1:1');
    expect(ml.stderr).toContain('scripts/stack.sh start');
    const tp = await cli(config, ['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(tp.code).toBe(1);
    expect(tp.stderr).toContain('127.0.0.1:1');
    expect(tp.stderr).not.toMatch(/\n\s+at /);
  });

  it('start runs the power pipeline to completion and prints the run and registration', async () => {
    const run = await cli(config, ['start', 'power', '--source', 'synthetic', '--param', 'numBoostRound=20', '--request-id', `cli-${suffix()}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    workflowId = `power-cli-${suffix()}`;
    expect(run.stdout).toContain(`Workflow:    ${workflowId}`);
    expect(run.stdout).toContain(`/namespaces/${config.temporal.namespace}/workflows/${workflowId}`);
    expect(run.stdout).toMatch(/^\[\d+\.\d s\] /m); // plain progress lines when not on a TTY
    expect(run.stdout).toContain(`Completed ${workflowId}`);
    expect(run.stdout).toMatch(/metrics\s+.*test_rmse=/);
    expect(run.stdout).toMatch(/reason\s+gate (passed|failed)/);
    expect(run.stdout).toContain(`${config.mlflow.trackingUri}/#/experiments/`);
  });

  it('status shows the completed run with its stage and result', async () => {
    const text = await cli(config, ['status', workflowId]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Status\s+COMPLETED/);
    expect(text.stdout).toMatch(/Stage\s+done/);
    const json = await cli(config, ['status', workflowId, '--json']);
    const view = JSON.parse(json.stdout);
    expect(view).toMatchObject({ workflowId, status: 'COMPLETED', pipeline: 'power', progress: { stage: 'done' } });
    mlflowRunId = view.result.mlflowRunId;
    expect(mlflowRunId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('list --pipeline power shows the run', async () => {
    // Visibility is eventually consistent: the closed run may take a moment to show as such.
    const stdout = await eventually(async () => {
      const run = await cli(config, ['list', '--pipeline', 'power', '--status', 'Completed', '--limit', '50']);
      return run.code === 0 && run.stdout.includes(workflowId) && run.stdout;
    }, 15_000, 500);
    expect(stdout).toMatch(new RegExp(`${workflowId}\\s+powerTraining\\s+COMPLETED`));
  });

  it('models --pipeline power --json lists the versions with the champion', async () => {
    const run = await cli(config, ['models', '--pipeline', 'power', '--json']);
    expect(run.code).toBe(0);
    const [model] = JSON.parse(run.stdout);
    expect(model).toMatchObject({ pipeline: 'power', modelName: 'power-consumption-model', championMetric: 'test_rmse' });
    const result = (await client.client.workflow.getHandle(workflowId).result()) as { registration: { registered: boolean; version?: string } };
    if (result.registration.registered) {
      const mine = model.versions.find((v: { runId: string }) => v.runId === mlflowRunId);
      expect(mine).toMatchObject({ version: result.registration.version, status: 'READY' });
      expect(typeof mine.metric).toBe('number');
      expect(model.champion).toEqual(expect.any(String));
    }
  });

  it('schedules apply is idempotent, and trigger starts a run', async () => {
    const first = await cli(config, ['schedules', 'apply', '--file', scheduleFile]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`created\\s+${scheduleId()}`));
    const second = await cli(config, ['schedules', 'apply', '--file', scheduleFile]);
    expect(second.stdout).toMatch(new RegExp(`unchanged\\s+${scheduleId()}`));

    const trigger = await cli(config, ['schedules', 'trigger', scheduleId()]);
    expect(trigger.code).toBe(0);
    const started = /Workflow:\s+(\S+)/.exec(trigger.stdout)?.[1];
    expect(started).toMatch(new RegExp(`^${scheduleId()}-`));
    // Let the triggered run finish, so no workflow of this file outlives its workers.
    await expect(client.client.workflow.getHandle(started!).result()).resolves.toMatchObject({ pipeline: 'power' });
  });
});
