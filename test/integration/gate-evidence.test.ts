/**
 * Gates need evidence: a tick model whose backtest passes its thresholds on a few dozen test sequences is not
 * registered, and the reason and MLflow say how many it had and how many the gate needs.
 */
import { filterValue } from '../../src/mlflow';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { usePipelineStack } from '../helpers/stack';

/** Three hours of one synthetic session (14:30–17:30 UTC) with 12-bar sequences: a few dozen test sequences. */
const SHORT_TICK_INPUT = {
  source: { kind: 'synthetic' as const, size: 'tiny' as const },
  window: { start: '2026-01-05T14:30:00.000Z', end: '2026-01-05T17:30:00.000Z' },
  params: { epochs: 1, sequenceLength: 12 },
  // Thresholds anything passes: only the amount of evidence decides.
  gate: { backtest_sharpe: -1e9, backtest_max_drawdown: 1e9 },
};

describe('gate evidence', () => {
  const stack = usePipelineStack();

  it('a tick model measured on too few test sequences is not registered, whatever its Sharpe', async () => {
    const result = await stack.client.execute('tick', { requestId: `evidence-${stack.config.taskQueues.cpu}`, input: SHORT_TICK_INPUT });
    const run = await stack.mlflow.getRun(result.mlflowRunId);
    const nTest = Number(run.data.params?.find((p) => p.key === 'n_test')?.value);
    expect(nTest).toBeGreaterThan(0);
    expect(nTest).toBeLessThan(MODEL_POLICIES.tick.minTestSize);

    expect(result.registration.registered).toBe(false);
    expect(result.registration.reason).toBe(`gate failed: test set ${nTest} sequences below the minimum 100`);
    const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ gate: result.registration.reason, gate_test_size: `${nTest} sequences`, gate_min_test_size: '100 sequences' });
    expect(await stack.mlflow.searchModelVersions(`run_id = ${filterValue(result.mlflowRunId)}`)).toEqual([]);
  }, 300_000);

  it('the same model registers when the input lowers the minimum (the evidence check is what refused it)', async () => {
    const input = { ...SHORT_TICK_INPUT, gate: { ...SHORT_TICK_INPUT.gate, minTestSize: 1 } };
    const result = await stack.client.execute('tick', { requestId: `evidence-low-${stack.config.taskQueues.cpu}`, input });
    expect(result.registration.registered).toBe(true);
    expect(result.registration.reason).toMatch(/^gate passed: test set \d+ sequences >= 1, backtest_sharpe=/);
  }, 300_000);
});
