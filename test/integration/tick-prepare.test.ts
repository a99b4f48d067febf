/**
 * Tick prepare, run as an activity against the real MLflow server: CSV and Parquet files in one folder are read
 * alike, only the requested window is used, cleaning counts reach MLflow, the split is chronological per symbol,
 * and scaling is fitted on the training part only.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { readArray, readMeta } from '../../src/data/arrays';
import { BAR_FEATURE_NAMES, generateTicks, writeTicksCsv, writeTicksParquet } from '../../src/data/ticks';
import { resolveParams } from '../../src/workflows/shared/defaults';
import type { PipelineInput, PreparedData, StageRequest, TrackingRun, ValidInput } from '../../src/workflows/shared/types';
import { depsFor, testConfig } from '../helpers/stack';

const DAY = 86_400_000;
const MONDAY = Date.UTC(2026, 0, 5);

describe('tick prepare', () => {
  const config = testConfig();
  const deps = depsFor(config);
  const activities = createActivities(deps);
  const env = new MockActivityEnvironment();
  const rawDir = path.join(config.dataRoot, 'raw', `ticks-mixed-${Date.now()}`);

  it('reads CSV and Parquet days alike, keeps to the window, logs cleaning counts, splits in time order', async () => {
    await fs.mkdir(rawDir, { recursive: true });
    const ticks = generateTicks({ symbols: ['AAA', 'BBB'], start: new Date(MONDAY), days: 3, ticksPerDay: 3000, seed: 9 });
    const day = (d: number) => ticks.filter((t) => t.ts >= MONDAY + d * DAY && t.ts < MONDAY + (d + 1) * DAY);
    await writeTicksCsv(path.join(rawDir, '2026-01-05.csv'), day(0));
    await writeTicksParquet(path.join(rawDir, '2026-01-06.parquet'), day(1));
    await writeTicksCsv(path.join(rawDir, '2026-01-07.csv'), day(2)); // outside the window below

    const params = resolveParams('tick');
    const run: TrackingRun = await env.run(activities.startTrackingRun, { pipeline: 'tick' as const, workflowId: 'tick-prepare-mixed', workflowRunId: `mixed-${Date.now()}`, params });
    const input: PipelineInput = {
      source: { kind: 'files', dir: path.relative(config.dataRoot, rawDir) },
      window: { start: new Date(MONDAY).toISOString(), end: new Date(MONDAY + 2 * DAY).toISOString() },
    };
    const req: StageRequest = { pipeline: 'tick', run, input: { ...input, params } as ValidInput, params };
    const prepared: PreparedData = await env.run(activities.prepareTicks, req);

    const metrics = Object.fromEntries(((await deps.mlflow.getRun(run.runId)).data.metrics ?? []).map((m) => [m.key, m.value]));
    expect(metrics.clean_rows).toBe(ticks.length);
    expect(metrics.clean_outsideWindow).toBe(day(2).length);
    const dropped = ['malformed', 'outsideWindow', 'nonPositive', 'duplicates', 'outOfOrder', 'outliers'].reduce((a, k) => a + metrics[`clean_${k}`], 0);
    expect(metrics.clean_kept).toBe(ticks.length - dropped);
    expect(metrics.clean_kept).toBeGreaterThan(0.99 * (day(0).length + day(1).length));

    const meta = await readMeta(prepared.dir);
    expect(meta.info.features).toEqual(BAR_FEATURE_NAMES);
    expect(meta.info.symbols).toEqual(['AAA', 'BBB']);
    const x = await readArray(prepared.dir, 'x_train');
    expect(x.shape.slice(1)).toEqual([Number(params.sequenceLength), BAR_FEATURE_NAMES.length]);
    // Standardised with the training part's statistics: training features average near 0.
    const width = BAR_FEATURE_NAMES.length;
    const lastStep = Number(params.sequenceLength) - 1;
    for (let f = 0; f < width; f++) {
      let sum = 0;
      for (let i = 0; i < x.shape[0]; i++) sum += x.data[(i * (lastStep + 1) + lastStep) * width + f];
      expect(Math.abs(sum / x.shape[0])).toBeLessThan(0.5);
    }
    expect((await readArray(prepared.dir, 'x_test')).shape[0]).toBeGreaterThan(0);
  });
});
