/**
 * Bad input, case by case, against the real Temporal dev server and MLflow server: each case must fail the
 * workflow quickly and non-retryably (the failing activity ran exactly once), with a message naming the file and
 * the offset / line / field, and must leave nothing registered (the MLflow run ends FAILED, no model version).
 * Every case reads its own folder `raw/<case>` under one data root, passed as `source.dir`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import pl from 'nodejs-polars';
import { filterValue } from '../../src/mlflow';
import { EXPERIMENT_OF, RUN_TAGS } from '../../src/activities/tracking';
import { writeIdx } from '../../src/data/idx';
import type { PipelineInput, PipelineName } from '../../src/workflows/shared/types';
import { InvalidInputError, WORKFLOW_TYPE } from '../../src/client';
import { usePipelineStack } from '../helpers/stack';
import { failureOf } from '../helpers/failures';
import { activitiesIn } from '../helpers/history';
import {
  CIFAR_NAMES,
  cifarRecordOffset,
  editRows,
  idxLabelOffset,
  MNIST_NAMES,
  patchBytes,
  patchGzippedBytes,
  replaceHeader,
  TICKS_DAY,
  truncateBy,
  writeCifarSet,
  writeMnistSet,
  writePowerFile,
  writeTicksFile,
} from '../helpers/bad-data';

/** Each rejection must arrive well within this (no retries with backoff, no training). */
const QUICK_MS = 15_000;

const PREPARE_ACTIVITY: Record<PipelineName, string> = {
  mnist: 'prepareMnist',
  cifar10: 'prepareCifar10',
  tick: 'prepareTicks',
  power: 'preparePower',
};

/** Activities the workflow ran (local ones too), and for each failed scheduled one the attempt that failed it. */
async function activityHistory(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, string>();
  const startedAttempt = new Map<string, number>();
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    if (e.activityTaskStartedEventAttributes) startedAttempt.set(String(e.eventId), e.activityTaskStartedEventAttributes.attempt ?? 0);
  }
  const failed = events
    .filter((e) => e.activityTaskFailedEventAttributes)
    .map((e) => {
      const a = e.activityTaskFailedEventAttributes!;
      return { activity: scheduled.get(String(a.scheduledEventId)), attempt: startedAttempt.get(String(a.startedEventId)) };
    });
  return { scheduled: activitiesIn(events).map((a) => a.name), failed };
}

type Expectation = string | RegExp;

interface DataCase {
  /** Folder `raw/<name>` and part of the request id. */
  name: string;
  pipeline: PipelineName;
  /** Writes the case's files into `dir`; returns what the failure message must contain. */
  setup: (dir: string) => Promise<Expectation[]>;
  /** Extra workflow input (a window; a source that overrides `raw/<name>`). */
  input?: PipelineInput;
}

const mnistFile = (dir: string, name: string) => path.join(dir, name);

const DATA_CASES: DataCase[] = [
  // ---- MNIST (IDX) ----
  {
    name: 'idx-bad-magic',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const file = mnistFile(dir, MNIST_NAMES.trainImages);
      await patchBytes(file, 0, [0x12, 0x34]);
      return [`${file} offset 0: bad IDX magic`];
    },
  },
  {
    name: 'idx-images-2-dims',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const file = mnistFile(dir, MNIST_NAMES.trainImages);
      await writeIdx(file, [20, 28 * 28], new Uint8Array(20 * 28 * 28));
      return [`${file} offset 3: images must be 3-dim [count, rows, cols], got [20, 784]`];
    },
  },
  {
    // The header says 3 dims but holds only two dimension sizes.
    name: 'idx-header-3-dims-declared-2-given',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const file = mnistFile(dir, MNIST_NAMES.trainImages);
      await fs.writeFile(file, Buffer.from([0, 0, 0x08, 3, 0, 0, 0, 20, 0, 0, 0, 28]));
      return [`${file} offset 12: header ended early: need 16 bytes for 3 dims`];
    },
  },
  {
    name: 'idx-count-mismatch',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const file = mnistFile(dir, MNIST_NAMES.trainLabels);
      await writeIdx(file, [19], Uint8Array.from({ length: 19 }, (_, i) => i % 10));
      return [`${file} offset 4: 19 labels for 20 images`];
    },
  },
  {
    name: 'idx-label-out-of-range',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const file = mnistFile(dir, MNIST_NAMES.trainLabels);
      await patchBytes(file, idxLabelOffset(7), [10]);
      return [`${file} offset 15: label 10 of item 7 outside 0..9`];
    },
  },
  {
    name: 'idx-gz-label-out-of-range',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir, { gzip: true });
      const file = mnistFile(dir, `${MNIST_NAMES.testLabels}.gz`);
      await patchGzippedBytes(file, idxLabelOffset(3), [200]);
      return [`${file} offset 11 (decompressed): label 200 of item 3 outside 0..9`];
    },
  },
  {
    name: 'idx-corrupt-gzip',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const plain = mnistFile(dir, MNIST_NAMES.trainImages);
      await fs.rm(plain);
      await fs.writeFile(`${plain}.gz`, Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8]));
      return [`${plain}.gz offset 0: corrupt gzip stream`];
    },
  },
  // ---- CIFAR-10 (binary batches) ----
  {
    name: 'cifar-truncated',
    pipeline: 'cifar10',
    setup: async (dir) => {
      await writeCifarSet(dir, { train: 4 });
      const file = path.join(dir, CIFAR_NAMES.train);
      const size = await truncateBy(file, 100);
      return [`${file} offset ${cifarRecordOffset(3)}: truncated record 3: 2973 of 3073 bytes (file size ${size})`];
    },
  },
  {
    name: 'cifar-label-out-of-range',
    pipeline: 'cifar10',
    setup: async (dir) => {
      await writeCifarSet(dir, { train: 4 });
      const file = path.join(dir, CIFAR_NAMES.train);
      await patchBytes(file, cifarRecordOffset(2), [11]);
      return [`${file} offset ${cifarRecordOffset(2)}: label 11 of record 2 outside 0..9`];
    },
  },
  // ---- Ticks (CSV, Parquet) ----
  {
    // NaN / negative / zero prices are parseable, so they are dropped as "non-positive" rather than counted as
    // malformed; above maxDirtyFraction of the window, prepare fails naming the file and the counts.
    name: 'ticks-all-prices-bad',
    pipeline: 'tick',
    setup: async (dir) => {
      const file = await writeTicksFile(dir);
      await editRows(file, ',', (f, row) => [f[0], f[1], ['NaN', '-1.5', '0'][row % 3], f[3]].join(','));
      return [`${file}: 400 of 400 ticks in the window are unusable (400 non-positive or NaN price/size, 0 duplicates, 0 out of order, 0 outliers)`];
    },
  },
  {
    name: 'ticks-most-prices-bad',
    pipeline: 'tick',
    setup: async (dir) => {
      const file = await writeTicksFile(dir);
      await editRows(file, ',', (f, row) => (row % 10 === 0 ? undefined : [f[0], f[1], ['NaN', '-1.5', '0'][row % 3], f[3]].join(',')));
      // Dropping more than maxDirtyFraction (5%) of the window's ticks fails the run, naming the file and the counts.
      return [`${file}: `, 'ticks in the window are unusable (', 'non-positive or NaN price/size', 'more than the allowed 5.0% (param maxDirtyFraction)'];
    },
  },
  {
    // Unparseable prices are malformed rows: more than 1% of them fails, naming the first lines.
    name: 'ticks-malformed-prices',
    pipeline: 'tick',
    setup: async (dir) => {
      const file = await writeTicksFile(dir);
      const lines = await editRows(file, ',', (f, row) => (row % 25 === 3 ? [f[0], f[1], row % 2 ? 'abc' : '', f[3]].join(',') : undefined));
      // Rows 3, 28, 53, ... alternate between 'abc' (not a number) and an empty field.
      return [
        `${file} line ${lines[0]}: ${lines.length} of 400 rows malformed (allowed 1%); first: `,
        lines.slice(0, 5).map((l, i) => `line ${l} (${i % 2 ? 'missing price' : 'bad number'})`).join(', '),
      ];
    },
  },
  {
    name: 'ticks-empty-window',
    pipeline: 'tick',
    input: { window: { start: '2026-02-02T00:00:00.000Z', end: '2026-02-03T00:00:00.000Z' } },
    setup: async (dir) => {
      const file = await writeTicksFile(dir);
      return [`${file}: no usable ticks in window 2026-02-02T00:00:00.000Z – 2026-02-03T00:00:00.000Z`];
    },
  },
  {
    name: 'ticks-wrong-header',
    pipeline: 'tick',
    input: { window: TICKS_DAY },
    setup: async (dir) => {
      const file = await writeTicksFile(dir);
      await replaceHeader(file, 'time,sym,px,qty');
      return [`${file} line 1: expected header "timestamp,symbol,price,size" (optionally followed by ",bid,ask"), got "time,sym,px,qty"`];
    },
  },
  {
    // Parquet is typed: a missing or mistyped column fails on the schema, naming the file and the column.
    name: 'ticks-parquet-missing-column',
    pipeline: 'tick',
    setup: async (dir) => {
      const file = path.join(dir, 'ticks.parquet');
      pl.DataFrame({ timestamp: ['2026-01-05T14:30:00Z'], symbol: ['AAA'], price: [10.5] }).writeParquet(file);
      return [`${file} column size: missing column "size" (expected timestamp, symbol, price, size)`];
    },
  },
  // ---- Power (UCI text) ----
  {
    name: 'power-malformed-rows',
    pipeline: 'power',
    setup: async (dir) => {
      const file = await writePowerFile(dir);
      // Every 50th row (2% > the 1% limit): alternately a row cut to 5 columns and an impossible date.
      const lines = await editRows(file, ';', (f, row) => {
        if (row % 50 !== 0) return undefined;
        return row % 100 === 0 ? f.slice(0, 5).join(';') : ['32/1/2026', ...f.slice(1)].join(';');
      });
      return [
        `${file} line ${lines[0]}: ${lines.length} of 4320 rows malformed (allowed 1%)`,
        `first: line 2 (expected 9 columns, got 5), line 52 (bad date "32/1/2026"), line 102 (expected 9 columns, got 5)`,
      ];
    },
  },
  {
    name: 'power-missing-day',
    pipeline: 'power',
    setup: async (dir) => {
      const file = await writePowerFile(dir);
      // 2026-01-02 (UTC), every minute missing: rows 1440..2879.
      await editRows(file, ';', (f, row) => (row >= 1440 && row < 2880 ? [f[0], f[1], '?', '?', '?', '?', '?', '?', '?'].join(';') : undefined));
      return ['day 2026-01-02: no power readings for 24 buckets (24 h) from 2026-01-02T00:00:00.000Z', `(in ${path.basename(file)})`];
    },
  },
  {
    name: 'power-wrong-header',
    pipeline: 'power',
    setup: async (dir) => {
      const file = await writePowerFile(dir, 1);
      await replaceHeader(file, 'Date,Time,Global_active_power');
      return [`${file} line 1: expected header "Date;Time;Global_active_power;`, 'got "Date,Time,Global_active_power"'];
    },
  },
  {
    // One row dated 9999 once made resampling allocate a grid over 8,000 years and killed the worker.
    name: 'power-date-9999',
    pipeline: 'power',
    setup: async (dir) => {
      const file = await writePowerFile(dir);
      const [line] = await editRows(file, ';', (f, row) => (row === 10 ? ['1/1/9999', ...f.slice(1)].join(';') : undefined));
      return [`${file} line ${line}: date 1/1/9999 00:10:00 is outside the accepted dates 1970-01-01 to 2100-01-01 (DML_DATA_MIN_DATE, DML_DATA_MAX_DATE)`];
    },
  },
  {
    // Physically impossible readings are skipped and counted; more than 1% of them fails the file, naming the first.
    name: 'power-implausible-values',
    pipeline: 'power',
    setup: async (dir) => {
      const file = await writePowerFile(dir);
      const bad = ['-5', '1e39', '1e41'];
      const lines = await editRows(file, ';', (f, row) => (row % 50 === 0 ? [f[0], f[1], bad[(row / 50) % 3], ...f.slice(3)].join(';') : undefined));
      return [
        `${file} line ${lines[0]}: ${lines.length} of 4320 rows implausible (allowed 1%); first: `,
        `line 2 (Global_active_power -5 outside 0..100 kW), line 52 (Global_active_power 1e39 outside 0..100 kW), line 102 (Global_active_power 1e41 outside 0..100 kW)`,
      ];
    },
  },
  {
    // Train 28x28, test 20x20: once read with the wrong layout (NaN pixels), then a retryable internal error.
    name: 'idx-train-test-dims-differ',
    pipeline: 'mnist',
    setup: async (dir) => {
      await writeMnistSet(dir);
      const file = mnistFile(dir, MNIST_NAMES.testImages);
      await writeIdx(file, [10, 20, 20], new Uint8Array(10 * 20 * 20));
      return [`${file} offset 8: images are 20x20, expected 28x28 like MNIST (${MNIST_NAMES.trainImages} has 28x28)`];
    },
  },
  {
    name: 'ticks-single-tick',
    pipeline: 'tick',
    setup: async (dir) => {
      const file = path.join(dir, 'ticks.csv');
      await fs.writeFile(file, 'timestamp,symbol,price,size\n2026-01-05T14:30:00.000Z,AAA,10.5,100\n');
      return [`${file}: too few bars (1 from 1 ticks) in the window to compute features: each symbol needs at least 37 bars`];
    },
  },
  {
    name: 'ticks-date-9999',
    pipeline: 'tick',
    setup: async (dir) => {
      const file = await writeTicksFile(dir);
      const [line] = await editRows(file, ',', (f, row) => (row === 5 ? ['9999-01-01T00:00:00.000Z', ...f.slice(1)].join(',') : undefined));
      return [`${file} line ${line}: timestamp 9999-01-01T00:00:00.000Z is outside the accepted dates 1970-01-01 to 2100-01-01`];
    },
  },
  // A data folder outside the data root (`../outside`) is refused by the input schema: see the InvalidInput cases.
];

describe('bad input matrix', () => {
  const stack = usePipelineStack();

  const requestId = (name: string) => `badmatrix-${name}-${stack.config.taskQueues.cpu}`;

  it.each(DATA_CASES)('$pipeline: $name fails at once, naming file and place, registering nothing', async ({ name, pipeline, setup, input }) => {
    const dir = path.join(stack.config.dataRoot, 'raw', name);
    await fs.mkdir(dir, { recursive: true });
    const expected = await setup(dir);

    const t0 = Date.now();
    const handle = await stack.client.start(pipeline, { requestId: requestId(name), input: { source: { kind: 'files', dir: `raw/${name}` }, ...input } });
    const failure = await failureOf(handle.result());
    const elapsed = Date.now() - t0;

    expect(failure.type).toBe('DataError');
    expect(failure.nonRetryable).toBe(true);
    for (const e of expected) expect(failure.message).toEqual(typeof e === 'string' ? expect.stringContaining(e) : expect.stringMatching(e));
    expect(elapsed).toBeLessThan(QUICK_MS);

    // The prepare activity failed on its first and only attempt; nothing after it ran but closing the run.
    const history = await activityHistory(handle);
    expect(history.failed).toEqual([{ activity: PREPARE_ACTIVITY[pipeline], attempt: 1 }]);
    expect(history.scheduled).toEqual(['startTrackingRun', PREPARE_ACTIVITY[pipeline], 'finishTrackingRun']);

    const progress = await stack.client.progress(handle.workflowId);
    expect(progress.stage).toBe('failed');
    const runId = progress.mlflowRunId!;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect((await stack.mlflow.getRun(runId)).info.status).toBe('FAILED');
    expect(await stack.mlflow.searchModelVersions(`run_id = ${filterValue(runId)}`)).toEqual([]);
    // A failed prepare leaves no temporary folders behind.
    const prepared = await fs.readdir(path.join(stack.config.dataRoot, 'prepared'), { recursive: true }).catch(() => [] as string[]);
    expect(prepared.filter((p) => p.includes('.tmp-'))).toEqual([]);
  });

  /** MLflow runs that a workflow created (by its workflow-id tag). */
  async function mlflowRunsOf(pipeline: PipelineName, workflowId: string) {
    const experiment = await stack.mlflow.getExperimentByName(EXPERIMENT_OF[pipeline]);
    if (!experiment) return [];
    return stack.mlflow.searchRuns([experiment.experiment_id], `tags.${RUN_TAGS.workflowId} = ${filterValue(workflowId)}`);
  }

  /**
   * Each value is started the way the temporal CLI or another SDK would (around PipelineClient, which refuses
   * them itself): the workflow's first step rejects it, non-retryably, naming the field and what it accepts.
   */
  it.each<{ name: string; pipeline: PipelineName; input: Record<string, unknown>; message: string }>([
    { name: 'unknown-param', pipeline: 'tick', input: { params: { epoch: 3 } }, message: "params: unknown key 'epoch'; accepted: epochs, batchSize" },
    { name: 'wrong-type-param', pipeline: 'power', input: { params: { numLeaves: '31' } }, message: 'params.numLeaves: Invalid input: expected number, received string' },
    { name: 'wrong-type-bool', pipeline: 'mnist', input: { params: { epochs: true } }, message: 'params.epochs: Invalid input: expected number, received boolean' },
    { name: 'batch-size-0', pipeline: 'mnist', input: { params: { batchSize: 0 } }, message: 'params.batchSize: Too small: expected number to be >=1' },
    { name: 'boost-rounds-minus-1', pipeline: 'power', input: { params: { numBoostRound: -1 } }, message: 'params.numBoostRound: Too small: expected number to be >=1' },
    { name: 'units-0', pipeline: 'tick', input: { params: { units: 0 } }, message: 'params.units: Too small: expected number to be >=1' },
    { name: 'sequence-length-0', pipeline: 'tick', input: { params: { sequenceLength: 0 } }, message: 'params.sequenceLength: Too small: expected number to be >=2' },
    { name: 'bucket-minutes-0', pipeline: 'power', input: { params: { bucketMinutes: 0 } }, message: 'params.bucketMinutes: Too small: expected number to be >=1' },
    { name: 'horizon-steps-0', pipeline: 'power', input: { params: { horizonSteps: 0 } }, message: 'params.horizonSteps: Too small: expected number to be >=1' },
    { name: 'epochs-0', pipeline: 'mnist', input: { params: { epochs: 0 } }, message: 'params.epochs: Too small: expected number to be >=1' },
    { name: 'epochs-minus-1', pipeline: 'cifar10', input: { params: { epochs: -1 } }, message: 'params.epochs: Too small: expected number to be >=1' },
    { name: 'learning-rate-minus-1', pipeline: 'power', input: { params: { learningRate: -1 } }, message: 'params.learningRate: Too small: expected number to be >0' },
    { name: 'validation-fraction-1.5', pipeline: 'mnist', input: { params: { validationFraction: 1.5 } }, message: 'params.validationFraction: Too big: expected number to be <=0.5' },
    { name: 'kind-file', pipeline: 'mnist', input: { source: { kind: 'file' } }, message: 'source.kind: kind must be one of files, synthetic, got "file"' },
    { name: 'kind-s3', pipeline: 'power', input: { source: { kind: 's3' } }, message: 'source.kind: kind must be one of files, synthetic, got "s3"' },
    { name: 'seed-path', pipeline: 'mnist', input: { source: { kind: 'synthetic', size: 'tiny', seed: '1/../../../outside-mn' } }, message: 'source.seed: Invalid input: expected number, received string' },
    { name: 'unknown-key', pipeline: 'power', input: { sorce: { kind: 'files' } }, message: "(input): unknown key 'sorce'; accepted: params, source, window, trainingDate, gate, taskQueues, force" },
    { name: 'gate-text', pipeline: 'power', input: { gate: { test_rmse: '1e12' } }, message: 'gate.test_rmse: Invalid input: expected number, received string' },
    { name: 'date-feb-30', pipeline: 'power', input: { trainingDate: '2026-02-30' }, message: 'trainingDate: Invalid ISO date' },
    { name: 'date-jan-45', pipeline: 'power', input: { trainingDate: '2026-01-45' }, message: 'trainingDate: Invalid ISO date' },
    ...(['mnist', 'cifar10', 'tick', 'power'] as const).map((pipeline) => ({
      name: `escape-${pipeline}`,
      pipeline,
      input: { source: { kind: 'files', dir: '../outside' } },
      message: 'source.dir: must be a relative path under the data root (no leading /, no ..)',
    })),
    { name: 'cpu-queue-typo', pipeline: 'power', input: { taskQueues: { cpu: 'cpuu', gpu: 'gpu' } }, message: "taskQueues.cpu: 'cpuu' is not the queue this workflow runs on" },
  ])('$pipeline: $name is InvalidInput at the workflow boundary, before any activity or MLflow run', async ({ name, pipeline, input, message }) => {
    const t0 = Date.now();
    const workflowId = `${pipeline}-${requestId(name)}`;
    await expect(stack.client.start(pipeline, { requestId: requestId(name), input: { taskQueues: stack.config.taskQueues, ...input } })).rejects.toThrow(InvalidInputError);
    const handle = await stack.client.client.workflow.start(WORKFLOW_TYPE[pipeline], {
      workflowId,
      taskQueue: stack.config.taskQueues.cpu,
      args: [{ taskQueues: stack.config.taskQueues, ...input }],
    });
    const failure = await failureOf(handle.result());
    expect(Date.now() - t0).toBeLessThan(QUICK_MS);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`invalid ${pipeline} input: `);
    expect(failure.message).toContain(message);
    expect((await activityHistory(handle)).scheduled).toEqual([]);
    const progress = await stack.client.progress(handle.workflowId);
    // Failed before any stage ran: the progress (and the Web UI's current details) say so, with no MLflow run.
    expect(progress.stage).toBe('failed');
    expect(progress.mlflowRunId).toBeUndefined();
    expect(await mlflowRunsOf(pipeline, handle.workflowId)).toEqual([]);
  });

  it.each([
    ['1 MB (under the 2 MB payload limit, but the stage requests would carry it twice)', 1024 * 1024],
    ['3 MB (over the server limit)', 3 * 1024 * 1024],
  ])('an oversized input of %s is refused by the client before anything starts', async (_label, size) => {
    const id = requestId(`oversized-${size}`);
    const t0 = Date.now();
    const err = await stack.client.start('tick', { requestId: id, input: { params: { cell: 'x'.repeat(size) } } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(Date.now() - t0).toBeLessThan(QUICK_MS);
    expect(err?.message).toMatch(/^workflow input is \d+ bytes; the limit is 65536: pass data by reference/);
    const workflowId = `tick-${id}`;
    await expect(stack.client.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await mlflowRunsOf('tick', workflowId)).toEqual([]);
  });

  it('an oversized input started around the client (e.g. the temporal CLI) fails at the workflow boundary', async () => {
    const workflowId = `tick-${requestId('oversized-raw')}`;
    const handle = await stack.client.client.workflow.start('tickTraining', {
      workflowId,
      taskQueue: stack.config.taskQueues.cpu,
      args: [{ params: { cell: 'x'.repeat(100 * 1024) }, taskQueues: stack.config.taskQueues }],
    });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('the limit is 65536');
    expect(await mlflowRunsOf('tick', workflowId)).toEqual([]);
  });
});
