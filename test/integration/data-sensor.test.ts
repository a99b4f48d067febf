/**
 * The data sensor against the real Temporal and MLflow servers: a partitioned power run whose UCI file does not
 * yet reach the training date waits (visible in the progress query and the Web UI's current details), and goes on
 * when the data lands, when an upstream service sends `dataReady`, or fails non-retryably after its timeout,
 * naming the missing file, with its MLflow run FAILED.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { generatePowerText } from '../../src/data/power';
import { dataReadySignal } from '../../src/workflows';
import { renderCurrentDetails } from '../../src/workflows/shared/current-details';
import type { PipelineProgress } from '../../src/workflows/shared/types';
import { eventually, usePipelineStack } from '../helpers/stack';

const PARAMS = { numBoostRound: 20 };
/** Readings for the 14 days before the 2026-01-15 partition (and a few after): complete for that date. */
const fullMonth = () => generatePowerText({ start: new Date(Date.UTC(2026, 0, 1)), days: 20, seed: 3 });
/** Readings through 2026-01-10 only: the partition's last days are still missing. */
const firstDays = () => generatePowerText({ start: new Date(Date.UTC(2026, 0, 1)), days: 10, seed: 3 });

describe('data sensor', () => {
  const stack = usePipelineStack();

  /** A folder of its own per test; files land by rename, as an upstream copy job would publish them. */
  async function land(dir: string, text: string): Promise<void> {
    const abs = path.join(stack.config.dataRoot, dir);
    await fs.mkdir(abs, { recursive: true });
    await fs.writeFile(path.join(abs, '.incoming'), text);
    await fs.rename(path.join(abs, '.incoming'), path.join(abs, 'household_power_consumption.txt'));
  }

  const start = (tag: string, dir: string, sensor: { pollInterval: string; timeout: string }) =>
    stack.client.start('power', {
      requestId: `sensor-${tag}-${stack.config.taskQueues.cpu}`,
      input: { source: { kind: 'files', dir }, trainingDate: '2026-01-15', params: PARAMS, sensor },
    });

  /** The progress once the sensor has reported a wait. */
  const waiting = (workflowId: string) =>
    eventually(async () => {
      const p = await stack.client.progress(workflowId);
      return p.waitingForData ? p : undefined;
    }, 60_000);

  it('waits while the partition is incomplete and trains once the data lands', async () => {
    await land('raw/lands', firstDays());
    const handle = await start('lands', 'raw/lands', { pollInterval: '1s', timeout: '10m' });
    const p: PipelineProgress = await waiting(handle.workflowId);
    expect(p.stage).toBe('prepare');
    expect(p.waitingForData!.missing).toEqual(['raw/lands/*.txt with readings through 2026-01-14T23:59Z']);
    expect(p.waitingForData!.deadline - p.waitingForData!.since).toBe(10 * 60_000);
    expect(renderCurrentDetails(p)).toContain('**Waiting for data** 1 of 1 files missing (`raw/lands/*.txt with readings through 2026-01-14T23:59Z`)');

    await land('raw/lands', fullMonth());
    const result = await handle.result();
    expect(result.metrics.test_rmse).toBeGreaterThan(0);
    const after = await stack.client.progress(handle.workflowId);
    expect(after.stage).toBe('done');
    expect(after.waitingForData).toBeUndefined();
  });

  it('fails non-retryably after the timeout, naming the missing file, and closes the MLflow run as FAILED', async () => {
    const handle = await start('never', 'raw/never', { pollInterval: '1s', timeout: '3s' });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('DataNotReady');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain('still incomplete after 3s: 1 of 1 missing: raw/never/*.txt with readings through 2026-01-14T23:59Z');

    const p = await stack.client.progress(handle.workflowId);
    expect(p).toMatchObject({ stage: 'failed', failedStage: 'prepare', errorType: 'DataNotReady' });
    expect(renderCurrentDetails(p)).toContain('failed in prepare: input data did not arrive before the sensor timeout');
    const run = await stack.mlflow.getRun(p.mlflowRunId!);
    expect(run.info.status).toBe('FAILED');
  });

  it('a dataReady signal releases the wait at once, long before the next poll', async () => {
    await land('raw/signalled', firstDays());
    const handle = await start('signal', 'raw/signalled', { pollInterval: '1h', timeout: '2h' });
    await waiting(handle.workflowId);
    await land('raw/signalled', fullMonth());
    await handle.signal(dataReadySignal);
    // Without the signal the next poll would be an hour away, far past this test's timeout.
    const result = await handle.result();
    expect(result.metrics.test_rmse).toBeGreaterThan(0);
  });
});
