/**
 * The data sensor (what Airflow's sensors did): a partitioned run whose input files are not all there yet waits
 * for them before prepare, instead of failing. It asks a short activity which files are missing, then sleeps on a
 * durable timer until the next poll, or until an upstream service sends `dataReady`. The wait lives in the
 * workflow, not in a long polling activity: a timer costs no worker slot and survives worker restarts, so nothing
 * has to heartbeat while hours pass. After the timeout the run fails non-retryably, naming the missing files.
 */
import { ApplicationFailure, condition, defineSignal, setHandler } from '@temporalio/workflow';
import type { PartitionDataRequest, PartitionDataStatus } from '../../activities/partition-data';
import { DEFAULT_SENSOR, durationMs } from './input-schema';
import type { DataWait, PipelineName, ValidInput } from './types';

/** Sent by an upstream service when the partition's data has landed: prepare starts at once, without another poll. */
export const dataReadySignal = defineSignal<[]>('dataReady');

/** Whether this run waits for its data: a files source with a partition, started by a schedule or asking to wait. */
export function sensorApplies(input: ValidInput, partition: string | undefined, scheduled: boolean): boolean {
  if (!partition || input.source?.kind === 'synthetic') return false;
  return scheduled || input.sensor !== undefined;
}

export async function waitForPartitionData(
  pipeline: PipelineName,
  input: ValidInput,
  check: (req: PartitionDataRequest) => Promise<PartitionDataStatus>,
  show: (wait: DataWait | undefined) => void,
): Promise<void> {
  let released = false;
  setHandler(dataReadySignal, () => {
    released = true;
  });
  const pollMs = durationMs(input.sensor?.pollInterval ?? DEFAULT_SENSOR.pollInterval);
  const timeout = input.sensor?.timeout ?? DEFAULT_SENSOR.timeout;
  // Date.now() in a workflow is the replay-safe time of the current workflow task.
  const since = Date.now();
  const deadline = since + durationMs(timeout);
  for (;;) {
    const status = await check({ pipeline, input });
    if (status.missing.length === 0 || released) break;
    show({ missing: status.missing, expected: status.expected, since, checkedAt: Date.now(), deadline });
    const left = deadline - Date.now();
    if (left <= 0) {
      throw ApplicationFailure.create({
        type: 'DataNotReady',
        nonRetryable: true,
        message: `input of the partition still incomplete after ${timeout}: ${status.missing.length} of ${status.expected} missing: ${status.missing.join(', ')}`,
        details: [{ missing: status.missing }],
      });
    }
    if (await condition(() => released, Math.min(pollMs, left))) break;
  }
  show(undefined);
}
