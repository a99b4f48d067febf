/**
 * Power prepare, run as an activity against the real MLflow server: the training date partitions the data
 * (nothing on or after it is used, so later files change nothing), and skipped malformed rows are reported.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { readArray, readMeta } from '../../src/data/arrays';
import { generatePowerText } from '../../src/data/power';
import { dataLimitsFromEnv } from '../../src/config/data-limits';
import { resolveParams } from '../../src/workflows/shared/defaults';
import type { PipelineInput, PreparedData, StageRequest, TrackingRun, ValidInput } from '../../src/workflows/shared/types';
import { depsFor, testConfig } from '../helpers/stack';

const DAY = 86_400_000;

describe('power prepare', () => {
  const config = testConfig();
  const deps = depsFor(config);
  const activities = createActivities(deps);
  const env = new MockActivityEnvironment();
  const rawDir = path.join(config.dataRoot, 'raw', 'power');

  async function prepare(input: PipelineInput, name: string) {
    const params = resolveParams('power');
    const run: TrackingRun = await env.run(activities.startTrackingRun, {
      pipeline: 'power' as const,
      workflowId: `power-prepare-${name}`,
      workflowRunId: `${name}-${Date.now()}`,
      params,
    });
    const req: StageRequest = { pipeline: 'power', run, input: { ...input, params } as ValidInput, params }; // activities see validated input
    const prepared: PreparedData = await env.run(activities.preparePower, req);
    return { run, prepared };
  }

  it('uses only data before the training date: files with later days change nothing', async () => {
    await fs.mkdir(rawDir, { recursive: true });
    await fs.writeFile(path.join(rawDir, '2026-01.txt'), generatePowerText({ start: new Date(Date.UTC(2026, 0, 1)), days: 20, seed: 3 }));
    const before = await prepare({ trainingDate: '2026-01-15' }, 'before');
    await fs.writeFile(path.join(rawDir, '2026-01-later.txt'), generatePowerText({ start: new Date(Date.UTC(2026, 0, 15)), days: 10, seed: 4 }));
    const after = await prepare({ trainingDate: '2026-01-15' }, 'after');

    expect(after.prepared.dir).not.toBe(before.prepared.dir);
    const meta = await readMeta(after.prepared.dir);
    expect(meta.info.lastTime).toBe(Date.UTC(2026, 0, 15) - 3_600_000);
    for (const name of Object.keys(meta.arrays)) {
      expect(Buffer.from((await readArray(after.prepared.dir, name)).data.buffer)).toEqual(Buffer.from((await readArray(before.prepared.dir, name)).data.buffer));
    }
    // Test targets lie strictly before the training date.
    const targets = (await readArray(after.prepared.dir, 't_test')).data;
    expect(Math.max(...targets) * 3_600_000).toBeLessThan(Date.UTC(2026, 0, 15));
    expect(Math.min(...targets) * 3_600_000).toBeGreaterThan(Date.UTC(2026, 0, 15) - 7 * DAY);

    // A later training date sees the later file's days.
    const later = await prepare({ trainingDate: '2026-01-25' }, 'later');
    expect((await readMeta(later.prepared.dir)).info.lastTime).toBe(Date.UTC(2026, 0, 25) - 3_600_000);
  });

  it('reports skipped malformed rows with file and line numbers', async () => {
    const file = path.join(rawDir, '2026-01.txt');
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    lines[5] = '31/02/2026;00:04:00;1.000;0.100;240.00;4.000;0.000;0.000;0.000';
    lines[9] = '1/1/2026;00:08:00;1.000;0.100';
    await fs.writeFile(file, lines.join('\n'));
    const { run } = await prepare({ trainingDate: '2026-01-15' }, 'malformed');
    const report = JSON.parse((await deps.mlflow.downloadArtifact(run.artifactUri, 'prepare/malformed_rows.json')).toString());
    expect(report.map((r: { file: string; line: number }) => [r.file, r.line])).toEqual([
      ['2026-01.txt', 6],
      ['2026-01.txt', 10],
    ]);
    const metrics = (await deps.mlflow.getRun(run.runId)).data.metrics ?? [];
    expect(metrics.find((m) => m.key === 'prepare_malformed_rows')?.value).toBe(2);
  });

  it('skips and counts physically impossible readings, duplicate and backward timestamps, so none is trained on silently', async () => {
    const dir = path.join(config.dataRoot, 'raw', 'implausible');
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, 'power.txt');
    const lines = generatePowerText({ start: new Date(Date.UTC(2026, 0, 1)), days: 20, seed: 3, gapProbability: 0 }).split('\n');
    const withActive = (line: string, value: string) => [...line.split(';').slice(0, 2), value, ...line.split(';').slice(3)].join(';');
    lines[100] = withActive(lines[100], '-5');
    lines[200] = withActive(lines[200], '1e39');
    lines[300] = withActive(lines[300], '1e41');
    lines[401] = lines[400]; // the same minute twice
    lines[501] = lines[10]; // a minute from long before
    await fs.writeFile(file, lines.join('\n'));
    const { run, prepared } = await prepare({ source: { kind: 'files', dir: 'raw/implausible' } }, 'implausible');

    const metrics = Object.fromEntries(((await deps.mlflow.getRun(run.runId)).data.metrics ?? []).map((m) => [m.key, m.value]));
    expect(metrics).toMatchObject({ prepare_implausible_rows: 3, prepare_malformed_rows: 0, prepare_duplicate_timestamps: 1, prepare_backward_timestamps: 1 });
    const report = JSON.parse((await deps.mlflow.downloadArtifact(run.artifactUri, 'prepare/implausible_rows.json')).toString());
    expect(report).toEqual([
      { file: 'power.txt', line: 101, reason: 'Global_active_power -5 outside 0..100 kW' },
      { file: 'power.txt', line: 201, reason: 'Global_active_power 1e39 outside 0..100 kW' },
      { file: 'power.txt', line: 301, reason: 'Global_active_power 1e41 outside 0..100 kW' },
    ]);
    // What reaches training is finite and plausible.
    for (const name of ['x_train', 'y_train', 'x_test', 'y_test']) {
      const { data } = await readArray(prepared.dir, name);
      expect(data.every((v) => Number.isFinite(v) && v < 1e6)).toBe(true);
    }
  });

  it('refuses input whose resampled series would exceed the configured size, naming the span and files', async () => {
    const small = createActivities({ ...deps, limits: { ...dataLimitsFromEnv({}), maxSeriesPoints: 100 } });
    const params = resolveParams('power');
    const run: TrackingRun = await env.run(small.startTrackingRun, { pipeline: 'power' as const, workflowId: 'power-prepare-grid', workflowRunId: `grid-${Date.now()}`, params });
    // A training date no other test used, so no prepared data is reused.
    const req: StageRequest = { pipeline: 'power', run, input: { trainingDate: '2026-01-14', params } as ValidInput, params };
    const err = await env.run(small.preparePower, req).then(() => undefined, (e: Error) => e);
    expect(err).toMatchObject({ type: 'DataError', nonRetryable: true });
    expect(err?.message).toContain(
      'day 2026-01-01: readings from 2026-01-01T00:00:00.000Z to 2026-01-13T23:00:00.000Z make 312 buckets of 60 min, more than the limit of 100 (DML_MAX_SERIES_POINTS)',
    );
    expect(err?.message).toContain('(in 2026-01-later.txt, 2026-01.txt)');
  });

  it('rejects a training date that is not a date', async () => {
    await expect(prepare({ trainingDate: '2026-13-45x' }, 'baddate')).rejects.toThrow(/trainingDate '2026-13-45x' is not a YYYY-MM-DD date/);
  });
});
