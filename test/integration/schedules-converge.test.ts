/**
 * `schedules apply` puts back what operators changed by hand with the stock `temporal` CLI (pause, update, delete),
 * and `schedules trigger` says when the overlap policy skipped a trigger instead of swallowing it. Real dev server,
 * real `temporal` CLI; no workers, so a triggered run stays running and a second trigger overlaps it.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { AppConfig, PROJECT_ROOT } from '../../src/config';
import { applySchedules, ApplyResult, scheduleOptions } from '../../src/schedules/apply';
import { parseScheduleConfig } from '../../src/schedules/config';
import { cli } from '../helpers/cli';
import { eventually, testConfig } from '../helpers/stack';

const execFileAsync = promisify(execFile);
const TEMPORAL = path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal');

describe('schedules as operators expect', () => {
  let config: AppConfig;
  let client: Client;
  const id = `converge-${randomUUID().slice(0, 6)}`;
  const file = parseScheduleConfig({
    schedules: [
      {
        id,
        pipeline: 'power',
        cron: ['0 1 * * *'],
        timeZone: 'UTC',
        overlap: 'SKIP',
        catchupWindow: '1 minute',
        paused: false,
        note: 'from the file',
        input: { source: { kind: 'synthetic' }, params: { numBoostRound: 10 } },
      },
    ],
  });
  const apply = (): Promise<ApplyResult[]> => applySchedules(client, file, config.taskQueues);
  const describe_ = () => client.schedule.getHandle(id).describe();
  const temporal = (...args: string[]) => execFileAsync(TEMPORAL, [...args, '--address', config.temporal.address, '--namespace', config.temporal.namespace]);

  beforeAll(async () => {
    config = testConfig();
    client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace });
  });
  afterAll(async () => {
    const d = await describe_().catch(() => undefined);
    for (const a of d?.info.recentActions ?? []) await client.workflow.getHandle(a.action.workflow.workflowId).terminate('test cleanup').catch(() => undefined);
    await client.schedule.getHandle(id).delete().catch(() => undefined);
    await client?.connection.close();
  });

  it('creates, then leaves a matching schedule alone', async () => {
    expect(await apply()).toEqual([{ id, action: 'created' }]);
    expect(await apply()).toEqual([{ id, action: 'unchanged' }]);
  });

  it('unpauses a schedule paused by hand with `temporal schedule toggle --pause`', async () => {
    await temporal('schedule', 'toggle', '--schedule-id', id, '--pause', '--reason', 'paused by hand');
    expect((await describe_()).state.paused).toBe(true);
    expect(await apply()).toEqual([{ id, action: 'updated', drift: ['state.paused', 'state.note'] }]);
    const d = await describe_();
    expect([d.state.paused, d.state.note]).toEqual([false, 'from the file']);
    expect(await apply()).toEqual([{ id, action: 'unchanged' }]);
  });

  it('puts back the spec, input and policy edited by hand with `temporal schedule update`, even with its memo copied over', async () => {
    const before = await describe_();
    if (before.action.type !== 'startWorkflow') throw new Error('expected a startWorkflow action');
    // A careful operator keeps the action memo: the comparison must not rely on it alone.
    const memoFlags = Object.entries(before.action.memo ?? {}).flatMap(([k, v]) => ['--memo', `${k}=${JSON.stringify(v)}`]);
    await temporal(
      'schedule', 'update', '--schedule-id', id, '--cron', '0 5 * * *', '--time-zone', 'UTC',
      '--type', 'powerTraining', '--task-queue', config.taskQueues.cpu, '--workflow-id', id,
      '--input', JSON.stringify({ source: { kind: 'synthetic' }, params: { numBoostRound: 99 }, taskQueues: config.taskQueues }),
      '--overlap-policy', 'AllowAll', '--catchup-window', '1m', '--notes', 'from the file', ...memoFlags,
    );
    const edited = await describe_();
    expect(edited.spec.calendars?.[0]?.hour).toEqual([{ start: 5, end: 5, step: 1 }]);

    const [result] = await apply();
    expect(result.action).toBe('updated');
    expect(result.drift).toEqual(expect.arrayContaining(['spec', 'action.args', 'policies.overlap']));
    const d = await describe_();
    expect(d.spec.calendars?.[0]?.hour).toEqual([{ start: 1, end: 1, step: 1 }]);
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.action.type === 'startWorkflow' && d.action.args).toEqual(scheduleOptions(file.schedules[0], config.taskQueues).action.args);
    expect(await apply()).toEqual([{ id, action: 'unchanged' }]);
  });

  it('recreates a schedule deleted by hand with `temporal schedule delete`', async () => {
    await temporal('schedule', 'delete', '--schedule-id', id);
    expect(await apply()).toEqual([{ id, action: 'created' }]);
    expect((await describe_()).state.paused).toBe(false);
  });

  it('trigger reports a trigger the overlap policy skipped, with how to force it; --overlap allow-all forces it', async () => {
    const first = await cli(config, ['schedules', 'trigger', id]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    const started = /Workflow: +(\S+)/.exec(first.stdout)?.[1];
    expect(started).toMatch(new RegExp(`^${id}-`));
    // No worker polls the test queue: the run stays RUNNING, so the next trigger overlaps it.
    await eventually(async () => (await describe_()).info.runningActions.length === 1);

    const skipped = await cli(config, ['schedules', 'trigger', id]);
    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toContain(`skipped   ${id}: the overlap policy skip skipped this trigger because ${started} is still running.`);
    expect(skipped.stderr).toContain(`durable-ml schedules trigger ${id} --overlap allow-all`);
    expect(skipped.stderr).toContain(`temporal schedule trigger --schedule-id ${id} --overlap-policy AllowAll`);
    expect((await describe_()).info.numActionsSkippedOverlap).toBe(1);

    const forced = await cli(config, ['schedules', 'trigger', id, '--overlap', 'allow-all']);
    expect(forced.code).toBe(0);
    const second = /Workflow: +(\S+)/.exec(forced.stdout)?.[1];
    expect(second).toMatch(new RegExp(`^${id}-`));
    expect(second).not.toBe(started);
    // Both run side by side (the schedule tracks only runs its own policy must wait for, so ask the workflows).
    const statuses = await Promise.all([started, second].map(async (w) => (await client.workflow.getHandle(w!).describe()).status.name));
    expect(statuses).toEqual(['RUNNING', 'RUNNING']);
  });

  it('rejects an unknown overlap policy as a usage error', async () => {
    const r = await cli(config, ['schedules', 'trigger', id, '--overlap', 'sometimes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all.');
  });
});
