/** The data sensor's pure parts and its file check: the days a tick window needs, durations, sensor input limits, the UI line. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { daysOfWindow, partitionDataActivities } from '../../src/activities/partition-data';
import type { ValidInput } from '../../src/workflows/shared/types';
import { durationMs, parsePipelineInput } from '../../src/workflows/shared/input-schema';
import { renderCurrentDetails } from '../../src/workflows/shared/current-details';

describe('data sensor (pure parts)', () => {
  it('a window needs one file per UTC day it touches, end exclusive', () => {
    expect(daysOfWindow(Date.parse('2026-01-05T00:00:00Z'), Date.parse('2026-01-08T00:00:00Z'))).toEqual(['2026-01-05', '2026-01-06', '2026-01-07']);
    expect(daysOfWindow(Date.parse('2026-01-05T21:30:00Z'), Date.parse('2026-01-06T21:30:00Z'))).toEqual(['2026-01-05', '2026-01-06']);
  });

  it('reads durations and refuses anything else', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('1m')).toBe(60_000);
    expect(durationMs('6h')).toBe(6 * 3_600_000);
    expect(durationMs('1.5d')).toBe(36 * 3_600_000);
    expect(() => durationMs('6 hours')).toThrow('not a duration: "6 hours"');
  });

  it('accepts a sensor input and refuses one that would poll too often for the history', () => {
    expect(parsePipelineInput('power', { sensor: { pollInterval: '30s', timeout: '2h' } }).sensor).toEqual({ pollInterval: '30s', timeout: '2h' });
    expect(() => parsePipelineInput('power', { sensor: { pollInterval: '1s', timeout: '6h' } })).toThrow('sensor.pollInterval: timeout / pollInterval must be at most 2000 polls');
    expect(() => parsePipelineInput('tick', { sensor: { timeout: 'soon' } })).toThrow('sensor.timeout: a duration of at least 1s such as "30s", "1m", "6h"');
    expect(() => parsePipelineInput('tick', { sensor: { every: '1m' } })).toThrow('sensor');
  });

  it('shows the wait in the current details: how many files, which, since when, and the time left', () => {
    const since = Date.parse('2026-01-11T02:00:03Z');
    const text = renderCurrentDetails({
      stage: 'prepare',
      waitingForData: { missing: ['raw/ticks/2026-01-09.csv', 'raw/ticks/2026-01-10.csv', 'raw/ticks/2026-01-11.csv', 'raw/ticks/2026-01-12.csv'], expected: 7, since, checkedAt: since + 60_000, deadline: since + 3_600_000 },
    });
    expect(text).toContain('**Waiting for data** 4 of 7 files missing (`raw/ticks/2026-01-09.csv`, `raw/ticks/2026-01-10.csv`, `raw/ticks/2026-01-11.csv`, … 1 more), since 02:00:03 UTC, timeout in 59m00s');
  });

  it('lists the missing files of a partition under the data root: tick days by name, vision files with or without .gz', async () => {
    const dataRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'dml-sensor-'));
    const { checkPartitionData } = partitionDataActivities({ dataRoot });
    const check = (pipeline: 'tick' | 'mnist', input: object) => checkPartitionData({ pipeline, input: input as ValidInput });
    await fs.mkdir(path.join(dataRoot, 'raw', 'ticks'), { recursive: true });
    await fs.writeFile(path.join(dataRoot, 'raw', 'ticks', '2026-01-06.parquet'), '');
    await fs.writeFile(path.join(dataRoot, 'raw', 'ticks', 'notes.csv'), '');
    const window = { start: '2026-01-05T00:00:00Z', end: '2026-01-08T00:00:00Z' };
    expect(await check('tick', { window })).toEqual({ missing: ['raw/ticks/2026-01-05.csv', 'raw/ticks/2026-01-07.csv'], expected: 3 });
    expect(await check('tick', { window, source: { kind: 'synthetic' } })).toEqual({ missing: [], expected: 0 });

    await fs.mkdir(path.join(dataRoot, 'mine'), { recursive: true });
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte']) await fs.writeFile(path.join(dataRoot, 'mine', f), '');
    expect(await check('mnist', { trainingDate: '2026-01-05', source: { kind: 'files', dir: 'mine' } })).toEqual({ missing: ['mine/t10k-labels-idx1-ubyte'], expected: 4 });
    // The data root is a boundary: a dir outside it is refused, not reported as missing.
    await expect(check('mnist', { trainingDate: '2026-01-05', source: { kind: 'files', dir: '../elsewhere' } })).rejects.toThrow();
    await fs.rm(dataRoot, { recursive: true, force: true });
  });
});
