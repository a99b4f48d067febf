/**
 * Warm start (tick-intraday's fine-tuning) against the real servers: with `warmStart: 'champion'` the tick training
 * starts from the current champion's weights, records that version in the MLflow param `warm_start_version`, and its
 * first epoch's loss is lower than the same run's from fresh weights; without a champion it trains fresh and says so;
 * a champion whose weights do not fit this run's model is refused non-retryably.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CHAMPION_ALIAS } from '../../src/activities/champion-model';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import type { PipelineInput } from '../../src/workflows/shared/types';
import { usePipelineStack } from '../helpers/stack';

const model = MODEL_POLICIES.tick.modelName;
const source = { kind: 'synthetic' as const, size: 'tiny' as const, momentum: 0.3 };
/** The fine-tuning runs see the last three days of the synthetic week, as an intraday run sees its latest window. */
const latest = { start: '2026-01-07T00:00:00Z', end: '2026-01-10T00:00:00Z' };
const fineTune = { epochs: 2, learningRate: 0.003 };
const PASS_ANY = { backtest_sharpe: -1e9, backtest_max_drawdown: 1e9 };
const REFUSE_ALL = { backtest_sharpe: 1e9 };

describe('warm start from the champion', () => {
  const stack = usePipelineStack();
  // The client takes any pipeline's input; tick's own fields (warmStart) are checked against tick's schema when it starts.
  const run = (tag: string, input: PipelineInput & { warmStart?: 'champion' }) => stack.client.execute('tick', { requestId: `warm-${tag}-${stack.config.taskQueues.cpu}`, input });
  const param = async (runId: string, key: string) => (await stack.mlflow.getRun(runId)).data.params?.find((p) => p.key === key)?.value;
  const tag = async (runId: string, key: string) => (await stack.mlflow.getRun(runId)).data.tags?.find((t) => t.key === key)?.value;
  const firstEpochLoss = async (runId: string) => (await stack.mlflow.getMetricHistory(runId, 'train_loss')).sort((a, b) => a.step - b.step)[0]?.value;

  it('starts from the champion’s weights (lower first-epoch loss than fresh ones) and records its version', async () => {
    await stack.mlflow.deleteAlias(model, CHAMPION_ALIAS).catch(() => undefined);

    // No champion yet: fresh weights, and the run says why (the gate refuses it, so it does not become champion).
    const fresh = await run('fresh', { source, window: latest, warmStart: 'champion', params: fineTune, gate: REFUSE_ALL });
    expect(await param(fresh.mlflowRunId, 'warm_start_version')).toBe('none');
    expect(await tag(fresh.mlflowRunId, 'warm_start')).toBe('no champion yet: trained from fresh weights');

    // A champion trained on the whole week.
    const champion = await run('champion', { source, params: { epochs: 4, learningRate: 0.003 }, gate: PASS_ANY });
    expect(champion.registration.champion).toBe(true);

    // The same fine-tuning run again, now from the champion's weights.
    const tuned = await run('tuned', { source, window: latest, warmStart: 'champion', params: fineTune, gate: PASS_ANY });
    expect(await param(tuned.mlflowRunId, 'warm_start_version')).toBe(champion.registration.version);
    expect(await tag(tuned.mlflowRunId, 'warm_start')).toBe(`champion v${champion.registration.version} (run ${champion.mlflowRunId})`);
    const [freshLoss, tunedLoss] = [await firstEpochLoss(fresh.mlflowRunId), await firstEpochLoss(tuned.mlflowRunId)];
    console.log(`warm start: first-epoch train_loss fresh ${freshLoss}, from champion v${champion.registration.version} ${tunedLoss}`);
    expect(tunedLoss).toBeLessThan(freshLoss!);
    // Judged against the champion on the same holdout, as every challenger is.
    expect(tuned.metrics.champion_version).toBe(Number(champion.registration.version));
    expect(tuned.metrics.champion_backtest_sharpe).toEqual(expect.any(Number));

    // A champion whose weights do not fit this run's model (another LSTM size) is refused, not trained around
    // (the champion now: the tuned model if it beat the old one on the same holdout).
    const current = (await stack.mlflow.getVersionByAlias(model, CHAMPION_ALIAS))!.version;
    const err = await run('mismatch', { source, window: latest, warmStart: 'champion', params: { ...fineTune, units: 8 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    // Workflow failure ← activity failure ← the training's ApplicationFailure.
    let cause: Error | undefined = (err as WorkflowFailedError).cause;
    while (cause && !(cause instanceof ApplicationFailure)) cause = cause.cause as Error | undefined;
    expect((cause as ApplicationFailure).type).toBe('WarmStartError');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause!.message).toMatch(new RegExp(`cannot warm-start from \\S*tick-model\\S*v${current}: its weights do not fit this run's model .* here, \\[.*\\] there`));
  }, 1_200_000);
});
