/**
 * The tick demo learns honestly: on synthetic ticks with planted momentum the pipeline's LSTM passes its gate
 * (Sharpe >= 1.5, drawdown <= 0.20, at least the minimum test size) after costs; on the same generator without the
 * signal, the same pipeline refuses to register.
 */
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { usePipelineStack } from '../helpers/stack';

// Enough optimiser steps for the LSTM to find a small linear edge in noisy returns (R² ≈ momentum² ≈ 0.09).
const params = { epochs: 10, learningRate: 0.003 };

describe('tick demo with a planted signal', () => {
  const stack = usePipelineStack();
  const run = (momentum: number | undefined, tag: string) =>
    stack.client.execute('tick', {
      requestId: `tick-signal-${tag}-${stack.config.taskQueues.cpu}`,
      input: { source: { kind: 'synthetic', size: 'tiny', ...(momentum === undefined ? {} : { momentum }) }, params },
    });

  it('passes its gate with momentum 0.3 and refuses without it', async () => {
    const on = await run(0.3, 'on');
    const off = await run(undefined, 'off');
    console.log(`tick signal: on ${JSON.stringify(on.metrics)} ${on.registration.reason}; off ${JSON.stringify(off.metrics)} ${off.registration.reason}`);
    const param = async (runId: string, key: string) => (await stack.mlflow.getRun(runId)).data.params?.find((p) => p.key === key)?.value;
    for (const r of [on, off]) expect(Number(await param(r.mlflowRunId, 'n_test'))).toBeGreaterThanOrEqual(MODEL_POLICIES.tick.minTestSize);

    expect(on.registration.registered).toBe(true);
    expect(on.metrics.backtest_sharpe).toBeGreaterThanOrEqual(1.5);
    expect(on.metrics.backtest_max_drawdown).toBeLessThanOrEqual(0.2);
    expect(on.registration.reason).toMatch(/^gate passed: /);

    expect(off.registration.registered).toBe(false);
    expect(off.registration.reason).toMatch(/^gate failed: .*backtest_sharpe=\S+ not >= 1.5/);
    // Each run names its data: sets with and without the signal never mix.
    expect(await param(on.mlflowRunId, 'dataset')).toBe('synthetic-ticks-tiny-seed1-momentum0.3');
    expect(await param(off.mlflowRunId, 'dataset')).toBe('synthetic-ticks-tiny-seed1');
  }, 1_200_000);
});
