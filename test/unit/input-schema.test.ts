/** The workflow-input schema (one per pipeline): exact messages naming the field and what it accepts. */
import { INPUT_SCHEMAS, InvalidInputError, parsePipelineInput } from '../../src/workflows/shared/input-schema';
import { DEFAULT_PARAMS } from '../../src/workflows/shared/defaults';
import { loadScheduleConfig, parseScheduleConfig } from '../../src/schedules/config';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import { lookbackWindow } from '../../src/workflows/shared/partition';
import type { PipelineName } from '../../src/workflows/shared/types';
import { buildInput } from '../../src/cli/input';
import { UsageError } from '../../src/cli/errors';
import { finishedPartitionQuery } from '../../src/activities/partitions';

describe('workflow input schema', () => {
  it('fills in every default parameter', () => {
    expect(parsePipelineInput('power', {}).params).toEqual(DEFAULT_PARAMS.power);
    expect(parsePipelineInput('mnist', { params: { epochs: 2 } }).params).toMatchObject({ epochs: 2, batchSize: 64, model: 'cnn' });
  });

  it.each<[PipelineName, unknown, string]>([
    ['mnist', { params: { batchSize: 0 } }, 'params.batchSize: Too small: expected number to be >=1'],
    ['power', { params: { numBoostRound: -1 } }, 'params.numBoostRound: Too small: expected number to be >=1'],
    ['tick', { params: { units: 0 } }, 'params.units: Too small: expected number to be >=1'],
    ['tick', { params: { sequenceLength: 0 } }, 'params.sequenceLength: Too small: expected number to be >=2'],
    ['power', { params: { bucketMinutes: 0 } }, 'params.bucketMinutes: Too small: expected number to be >=1'],
    ['power', { params: { horizonSteps: 0 } }, 'params.horizonSteps: Too small: expected number to be >=1'],
    ['mnist', { params: { epochs: 0 } }, 'params.epochs: Too small: expected number to be >=1'],
    ['cifar10', { params: { epochs: -1 } }, 'params.epochs: Too small: expected number to be >=1'],
    ['power', { params: { learningRate: -1 } }, 'params.learningRate: Too small: expected number to be >0'],
    ['mnist', { params: { validationFraction: 1.5 } }, 'params.validationFraction: Too big: expected number to be <=0.5'],
    ['mnist', { params: { epochs: 2.5 } }, 'params.epochs: Invalid input: expected int, received number'],
    ['power', { params: { numLeaves: '31' } }, 'params.numLeaves: Invalid input: expected number, received string'],
    ['tick', { params: { cell: 'rnn' } }, 'params.cell: Invalid option: expected one of "lstm"|"gru"'],
    ['tick', { params: { epoch: 3 } }, "params: unknown key 'epoch'; accepted: epochs, batchSize, learningRate, cell, units, sequenceLength, barIntervalSec, costBps, maxDirtyFraction, seed"],
    ['mnist', { source: { kind: 'file' } }, 'source.kind: kind must be one of files, synthetic, got "file"'],
    ['power', { source: { kind: 's3', dir: 'x' } }, 'source.kind: kind must be one of files, synthetic, got "s3"'],
    ['mnist', { source: { kind: 'synthetic', size: 'tiny', seed: '1/../../../outside-mn' } }, 'source.seed: Invalid input: expected number, received string'],
    ['power', { source: { kind: 'synthetic', seed: -1 } }, 'source.seed: Too small: expected number to be >=0'],
    ['power', { source: { kind: 'synthetic', size: 'huge' } }, 'source.size: Invalid option: expected one of "tiny"|"small"'],
    ['power', { source: { kind: 'files', dir: '../../etc' } }, 'source.dir: must be a relative path under the data root (no leading /, no ..)'],
    ['power', { source: { kind: 'files', dir: '/etc' } }, 'source.dir: must be a relative path under the data root (no leading /, no ..)'],
    ['power', { source: { kind: 'files', size: 'tiny' } }, "source: unknown key 'size'; accepted: kind, dir"],
    ['power', { sorce: { kind: 'files' } }, "(input): unknown key 'sorce'; accepted: params, source, window, trainingDate, gate, taskQueues, force"],
    ['power', { gate: { test_rmse: '1e12' } }, 'gate.test_rmse: Invalid input: expected number, received string'],
    ['power', { gate: { test_accuracy: 0.5 } }, "gate: unknown key 'test_accuracy'; accepted: test_rmse, minTestSize"],
    ['power', { trainingDate: '2026-02-30' }, 'trainingDate: Invalid ISO date'],
    ['power', { trainingDate: '2026-01-45' }, 'trainingDate: Invalid ISO date'],
    ['tick', { window: { start: '2026-02-30T00:00:00Z', end: '2026-03-02T00:00:00Z' } }, 'window.start: Invalid ISO datetime'],
    ['tick', { window: { start: '2026-03-02T00:00:00Z', end: '2026-03-01T00:00:00Z' } }, 'window.end: start must be before end'],
    ['power', { taskQueues: { cpu: 'cpu' } }, 'taskQueues.gpu: Invalid input: expected string, received undefined'],
    ['power', { force: 'yes' }, 'force: Invalid input: expected boolean, received string'],
  ])('%s %j is refused: %s', (pipeline, input, message) => {
    expect(() => parsePipelineInput(pipeline, input)).toThrow(InvalidInputError);
    expect(() => parsePipelineInput(pipeline, input)).toThrow(`invalid ${pipeline} input: ${message}`);
  });

  it('accepts real dates, windows with offsets and every documented key', () => {
    const input = {
      params: { numLeaves: 63 },
      source: { kind: 'synthetic', seed: 7, size: 'small' },
      trainingDate: '2024-02-29',
      window: { start: '2026-02-02T00:00:00.000Z', end: '2026-02-03T00:00:00+01:00' },
      gate: { test_rmse: 1e9, minTestSize: 10 },
      taskQueues: { cpu: 'cpu', gpu: 'gpu' },
      force: true,
    };
    expect(parsePipelineInput('power', input)).toMatchObject(input);
  });

  it('the schedule config validates its workflow-input defaults with the same schema', () => {
    const entry = (input: unknown) => ({ schedules: [{ id: 'power-daily', pipeline: 'power', cron: ['0 1 * * *'], timeZone: 'UTC', input }] });
    expect(parseScheduleConfig(entry({ params: { numLeaves: 63 } })).schedules[0].input).toEqual({ params: { numLeaves: 63 } });
    expect(() => parseScheduleConfig(entry({ params: { numBoostRound: 0 } }))).toThrow('schedules.0.input.params.numBoostRound: Too small: expected number to be >=1');
    expect(() => parseScheduleConfig(entry({ source: { kind: 'file' } }))).toThrow('schedules.0.input.source.kind: kind must be one of files, synthetic, got "file"');
    expect(Object.keys(INPUT_SCHEMAS)).toEqual(['mnist', 'cifar10', 'tick', 'power']);
    const bad = (schedule: Record<string, unknown>) => () => parseScheduleConfig({ schedules: [{ id: 'x', cron: ['0 1 * * *'], timeZone: 'UTC', ...schedule }] });
    expect(bad({ pipeline: 'mnst' })).toThrow('schedules.0.pipeline: pipeline must be one of mnist, cifar10, tick, power, got "mnst"');
    // The entry's pipeline picks the input schema: MNIST's epochs are not a power parameter.
    expect(bad({ pipeline: 'power', input: { params: { epochs: 3 } } })).toThrow("schedules.0.input.params: unknown key 'epochs'; accepted: numBoostRound,");
  });

  it('the CLI applies the same schema before connecting: a bad value is a usage error naming the field', () => {
    const usage = (flags: Parameters<typeof buildInput>[1]) => () => buildInput('power', flags);
    expect(usage({ param: [], trainingDate: '2026-02-30' })).toThrow(UsageError);
    expect(usage({ param: [], trainingDate: '2026-02-30' })).toThrow('invalid power input: trainingDate: Invalid ISO date');
    expect(usage({ param: ['numBoostRound=0'] })).toThrow('invalid power input: params.numBoostRound: Too small: expected number to be >=1');
    expect(usage({ param: [], source: 'files', dataDir: '../etc' })).toThrow('invalid power input: source.dir: must be a relative path under the data root');
    expect(buildInput('power', { param: ['numLeaves=63'], trainingDate: '2024-02-29' })).toEqual({ params: { numLeaves: 63 }, trainingDate: '2024-02-29' });
  });

  it('finds earlier runs of a partition by schedule and partition, quoting both', () => {
    expect(finishedPartitionQuery({ pipeline: 'power', partition: '2026-02-10', scheduleId: 'power-daily' })).toBe(
      'TemporalScheduledById = "power-daily" AND DmlPartition = "power:2026-02-10" AND ExecutionStatus = "Completed"',
    );
    expect(finishedPartitionQuery({ pipeline: 'tick', partition: 'a"b\\c', scheduleId: 's' })).toBe('TemporalScheduledById = "s" AND DmlPartition = "tick:a\\"b\\\\c" AND ExecutionStatus = "Completed"');
  });
});

describe('the planted tick signal in the input', () => {
  it('tick synthetic sources take a momentum in [0, 0.9]; other pipelines and other kinds refuse it by name', () => {
    expect(parsePipelineInput('tick', { source: { kind: 'synthetic', size: 'tiny', momentum: 0.3 } }).source).toEqual({ kind: 'synthetic', size: 'tiny', momentum: 0.3 });
    expect(() => parsePipelineInput('tick', { source: { kind: 'synthetic', momentum: 0.95 } })).toThrow(/source\.momentum: .*0\.9/);
    expect(() => parsePipelineInput('tick', { source: { kind: 'synthetic', momentum: '0.3' } })).toThrow(/source\.momentum/);
    expect(() => parsePipelineInput('tick', { source: { kind: 'files', momentum: 0.3 } })).toThrow(/unknown key 'momentum'; accepted: kind, dir/);
    expect(() => parsePipelineInput('power', { source: { kind: 'synthetic', momentum: 0.3 } })).toThrow(/unknown key 'momentum'; accepted: kind, seed, size/);
  });
});

describe('tick schedules', () => {
  it('tick-weekly retrains Sundays 02:00 UTC on the past week; the weekday-evening schedule stays, paused', () => {
    const { schedules } = loadScheduleConfig(path.join(PROJECT_ROOT, 'config', 'schedules.json'));
    const byId = Object.fromEntries(schedules.map((s) => [s.id, s]));
    expect(byId['tick-weekly']).toMatchObject({ pipeline: 'tick', cron: ['0 2 * * 0'], timeZone: 'UTC', overlap: 'SKIP', paused: false, input: { lookbackDays: 7 } });
    expect(byId['tick-daily']).toMatchObject({ pipeline: 'tick', paused: true });
  });

  it('tick-intraday fine-tunes the champion every 15 minutes, skipping a slot while a run is still going', () => {
    const { schedules } = loadScheduleConfig(path.join(PROJECT_ROOT, 'config', 'schedules.json'));
    const intraday = schedules.find((s) => s.id === 'tick-intraday');
    expect(intraday).toMatchObject({ pipeline: 'tick', cron: ['*/15 * * * *'], overlap: 'SKIP', paused: false, input: { warmStart: 'champion', lookbackDays: 1 } });
    expect(() => parsePipelineInput('tick', { warmStart: 'latest' })).toThrow(/warmStart/);
    expect(() => parsePipelineInput('power', { warmStart: 'champion' })).toThrow(/unknown key 'warmStart'/);
  });

  it('lookbackDays is tick-only, 1..366, and sets the window a scheduled run trains on', () => {
    expect(lookbackWindow(new Date('2026-03-08T02:00:00Z'), 7)).toEqual({ start: '2026-03-01T02:00:00.000Z', end: '2026-03-08T02:00:00.000Z' });
    expect(() => parsePipelineInput('tick', { lookbackDays: 0 })).toThrow(/lookbackDays/);
    expect(() => parsePipelineInput('power', { lookbackDays: 7 })).toThrow(/unknown key 'lookbackDays'/);
  });
});
