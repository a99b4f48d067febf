/**
 * Schedules against the real dev server: apply is idempotent and follows config changes, trigger starts a run,
 * a 7-day backfill gives 7 runs with 7 distinct data partitions, and pause stops scheduled runs.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { AppConfig, PROJECT_ROOT } from '../../src/config';
import type { PipelineWorkflow } from '../../src/client';
import { parseScheduleConfig, ScheduleConfig } from '../../src/schedules/config';
import { applySchedules, backfillSchedule } from '../../src/schedules/apply';
import { eventually, RunningWorkers, startWorkers, testConfig } from '../helpers/stack';

const execFileAsync = promisify(execFile);

describe('schedules', () => {
  let config: AppConfig;
  let client: Client;
  let workers: RunningWorkers;
  const suffix = randomUUID().slice(0, 6);
  const created = new Set<string>();

  const powerEntry = (id: string, overrides: object = {}) => ({
    id,
    pipeline: 'power',
    cron: ['0 1 * * *'],
    timeZone: 'UTC',
    overlap: 'SKIP',
    catchupWindow: '1 minute',
    paused: true,
    input: { source: { kind: 'synthetic' }, params: { numBoostRound: 10 } },
    ...overrides,
  });
  const apply = async (cfg: ScheduleConfig, prune = false) => {
    const results = await applySchedules(client, cfg, config.taskQueues, { prune });
    results.forEach((r) => created.add(r.id));
    return Object.fromEntries(results.map((r) => [r.id, r.action]));
  };

  beforeAll(async () => {
    config = testConfig();
    client = new Client({ connection: await Connection.connect({ address: config.temporal.address }) });
    workers = await startWorkers(config, ['cpu', 'gpu']);
  });
  afterAll(async () => {
    for (const id of created) await client.schedule.getHandle(id).delete().catch(() => undefined);
    await workers?.stop();
    await client?.connection.close();
  });

  it('apply creates, then reports unchanged, updates on change, and prunes removed entries', async () => {
    const a = `power-a-${suffix}`;
    const b = `power-b-${suffix}`;
    const cfg = parseScheduleConfig({ schedules: [powerEntry(a), powerEntry(b)] });
    expect(await apply(cfg)).toEqual({ [a]: 'created', [b]: 'created' });
    expect(await apply(cfg)).toEqual({ [a]: 'unchanged', [b]: 'unchanged' });

    const changed = parseScheduleConfig({ schedules: [powerEntry(a, { cron: ['0 2 * * *'] }), powerEntry(b)] });
    expect(await apply(changed)).toEqual({ [a]: 'updated', [b]: 'unchanged' });
    const described = await client.schedule.getHandle(a).describe();
    expect(described.spec.calendars?.[0]?.hour).toEqual([{ start: 2, end: 2, step: 1 }]);
    expect(described.state.paused).toBe(true);

    const pruned = parseScheduleConfig({ schedules: [powerEntry(a, { cron: ['0 2 * * *'] })] });
    expect(await apply(pruned, true)).toEqual({ [a]: 'unchanged', [b]: 'deleted' });
  });

  it('rejects an invalid config naming the entry and field', () => {
    expect(() => parseScheduleConfig({ schedules: [powerEntry('x', { timeZone: 'Mars/Olympus' }), powerEntry('x')] })).toThrow(
      /schedules\.0\.timeZone: an IANA time zone[\s\S]*schedules\.1\.id: duplicate schedule id 'x'/,
    );
  });

  it('trigger starts a run now, even while paused', async () => {
    const id = `power-trigger-${suffix}`;
    await apply(parseScheduleConfig({ schedules: [powerEntry(id)] }));
    await client.schedule.getHandle(id).trigger();
    const workflowId = await eventually(async () => (await client.schedule.getHandle(id).describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result = await client.workflow.getHandle<PipelineWorkflow>(workflowId).result();
    expect(result.pipeline).toBe('power');
    // A triggered run is stamped with its (trigger) time: it trains for that day.
    expect(result.partition).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The Web UI metadata travels with the schedule's action; the real partition is in the current details.
    const handle = client.workflow.getHandle(workflowId);
    expect(await (await handle.describe()).staticSummary()).toBe('Power LightGBM · synthetic small · 10 rounds · partition = scheduled time');
    expect((await handle.query(workflowMetadataQuery)).currentDetails).toContain(`**Partition** ${result.partition}`);
  });

  it('a 7-day backfill gives 7 runs, each trained on its own day', async () => {
    const id = `power-backfill-${suffix}`;
    await apply(parseScheduleConfig({ schedules: [powerEntry(id)] }));
    await backfillSchedule(client, { scheduleId: id, from: new Date('2026-02-10T00:00:00Z'), to: new Date('2026-02-17T00:00:00Z'), overlap: 'BUFFER_ALL' });
    const expected = ['2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13', '2026-02-14', '2026-02-15', '2026-02-16'];
    const ids = await eventually(
      async () => {
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `TemporalScheduledById = '${id}' AND ExecutionStatus = 'Completed'` })) found.push(wf.workflowId);
        return found.length >= expected.length && found;
      },
      150_000,
      1000,
    );
    const results = await Promise.all(ids.map((w) => client.workflow.getHandle<PipelineWorkflow>(w).result()));
    expect(results.map((r) => r.partition).sort()).toEqual(expected);
    expect(new Set(ids).size).toBe(7);
  }, 200_000);

  it('the stock `temporal schedule backfill` gives one tick run per session, each on its own day of ticks', async () => {
    const id = `tick-backfill-${suffix}`;
    await apply(
      parseScheduleConfig({
        schedules: [
          {
            id,
            pipeline: 'tick',
            cron: ['30 16 * * 1-5'],
            timeZone: 'America/New_York',
            overlap: 'SKIP',
            paused: true,
            input: { source: { kind: 'synthetic' }, params: { epochs: 1 } },
          },
        ],
      }),
    );
    // Synthetic ticks cover the sessions of Mon 5 – Fri 9 January 2026; backfill Monday to Wednesday.
    await execFileAsync(path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal'), [
      'schedule', 'backfill', '--address', config.temporal.address, '--schedule-id', id,
      '--start-time', '2026-01-05T00:00:00Z', '--end-time', '2026-01-08T00:00:00Z', '--overlap-policy', 'AllowAll',
    ]);
    const ids = await eventually(
      async () => {
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `TemporalScheduledById = '${id}' AND ExecutionStatus = 'Completed'` })) found.push(wf.workflowId);
        return found.length >= 3 && found;
      },
      150_000,
      1000,
    );
    const results = await Promise.all(ids.map((w) => client.workflow.getHandle<PipelineWorkflow>(w).result()));
    // 16:30 in New York is 21:30 UTC in January: each window is the 24 hours up to that day's close.
    expect(results.map((r) => r.partition).sort()).toEqual([
      '2026-01-04T21:30:00.000Z/2026-01-05T21:30:00.000Z',
      '2026-01-05T21:30:00.000Z/2026-01-06T21:30:00.000Z',
      '2026-01-06T21:30:00.000Z/2026-01-07T21:30:00.000Z',
    ]);
  }, 200_000);

  it('pause stops scheduled runs', async () => {
    const id = `power-pause-${suffix}`;
    // Every 2 s, all overlaps allowed, and a task queue no worker polls: each scheduled start is counted, none run.
    const noWorkerQueues = { cpu: `idle-${suffix}`, gpu: `idle-gpu-${suffix}` };
    const results = await applySchedules(
      client,
      parseScheduleConfig({ schedules: [powerEntry(id, { cron: ['@every 2s'], overlap: 'ALLOW_ALL', paused: false })] }),
      noWorkerQueues,
    );
    results.forEach((r) => created.add(r.id));
    const handle = client.schedule.getHandle(id);
    await eventually(async () => (await handle.describe()).info.numActionsTaken >= 1, 15_000);
    await handle.pause('test pause');
    const afterPause = (await handle.describe()).info.numActionsTaken;
    await new Promise((r) => setTimeout(r, 5000));
    const later = await handle.describe();
    expect(later.state.paused).toBe(true);
    expect(later.info.numActionsTaken).toBe(afterPause);
    for await (const wf of client.workflow.list({ query: `TemporalScheduledById = '${id}' AND ExecutionStatus = 'Running'` })) {
      await client.workflow.getHandle(wf.workflowId).terminate('test cleanup');
    }
  });
});
