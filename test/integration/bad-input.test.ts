/** Bad input fails the workflow at once, non-retryably, with a message naming what is wrong; nothing is registered. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { usePipelineStack } from '../helpers/stack';
import { failureOf } from '../helpers/failures';
import { activitiesIn } from '../helpers/history';

describe('bad input', () => {
  const stack = usePipelineStack();

  it('an unknown hyper-parameter is refused by the client before anything starts', async () => {
    await expect(stack.client.execute('mnist', { requestId: `badparam-${stack.config.taskQueues.cpu}`, input: { params: { epoch: 3 } } })).rejects.toThrow(
      "invalid mnist input: params: unknown key 'epoch'; accepted: model, epochs",
    );
  });

  it('a corrupt IDX file fails prepare without retries, naming the file', async () => {
    const dir = path.join(stack.config.dataRoot, 'raw', 'mnist');
    await fs.mkdir(dir, { recursive: true });
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      await fs.writeFile(path.join(dir, name), Buffer.from([0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1]));
    }
    const handle = await stack.client.start('mnist', { requestId: `corrupt-${stack.config.taskQueues.cpu}` });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('DataError');
    expect(failure.message).toContain('idx');
    expect(failure.nonRetryable).toBe(true);
    // startTrackingRun (local), prepare (its started event records the attempt that ended it: the first and only),
    // finishTrackingRun (local; marks the MLflow run FAILED).
    const events = (await handle.fetchHistory()).events ?? [];
    expect(activitiesIn(events).map((a) => a.name)).toEqual(['startTrackingRun', 'prepareMnist', 'finishTrackingRun']);
    const started = events.filter((e) => e.activityTaskStartedEventAttributes);
    expect(started.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([1]);
    expect((await stack.client.progress(handle.workflowId)).stage).toBe('failed');
  });

  it('missing MNIST files, offline and not cached, fail saying which files to put where', async () => {
    process.env.DML_OFFLINE = '1';
    try {
      const failure = await failureOf(stack.client.execute('mnist', { requestId: `offline-${stack.config.taskQueues.cpu}`, input: { source: { kind: 'files', dir: 'raw/empty-mnist' } } }));
      expect(failure.type).toBe('DataError');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(path.join(stack.config.dataRoot, 'raw', 'empty-mnist'));
      for (const name of ['train-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'synthetic']) expect(failure.message).toContain(name);
    } finally {
      delete process.env.DML_OFFLINE;
    }
  });

  it('a data directory outside the data root is refused by the client and at the workflow boundary', async () => {
    const input = { source: { kind: 'files' as const, dir: '../../etc' }, taskQueues: stack.config.taskQueues };
    const message = 'invalid power input: source.dir: must be a relative path under the data root (no leading /, no ..)';
    await expect(stack.client.execute('power', { requestId: `escape-${stack.config.taskQueues.cpu}`, input })).rejects.toThrow(message);
    const handle = await stack.client.client.workflow.start('powerTraining', { workflowId: `escape-${stack.config.taskQueues.cpu}`, taskQueue: stack.config.taskQueues.cpu, args: [input] });
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toBe(message);
  });
});
