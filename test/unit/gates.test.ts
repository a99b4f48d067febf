import { beatsChampion, championDecision, evaluateGate, gateEvidence, gateWithOverrides, MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { resolveParams } from '../../src/workflows/shared/defaults';

describe('registration gates', () => {
  it('passes MNIST at exactly the 0.95 threshold and fails just below', () => {
    const gate = MODEL_POLICIES.mnist.gate;
    expect(evaluateGate(gate, { test_accuracy: 0.95 }).passed).toBe(true);
    const failed = evaluateGate(gate, { test_accuracy: 0.9499 });
    expect(failed).toEqual({ passed: false, reason: 'gate failed: test_accuracy=0.9499 not >= 0.95' });
  });

  it('needs both Sharpe and drawdown for the tick model', () => {
    const gate = MODEL_POLICIES.tick.gate;
    expect(evaluateGate(gate, { backtest_sharpe: 2, backtest_max_drawdown: 0.1 }).passed).toBe(true);
    expect(evaluateGate(gate, { backtest_sharpe: 2, backtest_max_drawdown: 0.25 }).reason).toBe('gate failed: backtest_max_drawdown=0.25 not <= 0.2');
    expect(evaluateGate(gate, { backtest_max_drawdown: 0.1 }).reason).toContain('backtest_sharpe=missing');
  });

  it('treats NaN as failing and applies threshold overrides', () => {
    expect(evaluateGate(MODEL_POLICIES.power.gate, { test_rmse: NaN }).passed).toBe(false);
    const relaxed = gateWithOverrides(MODEL_POLICIES.power.gate, { test_rmse: 10 });
    expect(relaxed).toEqual([{ metric: 'test_rmse', op: '<', threshold: 10 }]);
    expect(evaluateGate(relaxed, { test_rmse: 9.99 }).passed).toBe(true);
  });

  it('needs a minimum test size: metrics measured on too few examples do not pass, and the reason says so', () => {
    const policy = MODEL_POLICIES.tick;
    const metrics = { backtest_sharpe: 56.7, backtest_max_drawdown: 0.01 };
    expect(evaluateGate(policy.gate, metrics, gateEvidence(policy, 25))).toEqual({
      passed: false,
      reason: 'gate failed: test set 25 sequences below the minimum 100',
    });
    expect(evaluateGate(policy.gate, metrics, gateEvidence(policy, 100))).toEqual({
      passed: true,
      reason: 'gate passed: test set 100 sequences >= 100, backtest_sharpe=56.7 >= 1.5, backtest_max_drawdown=0.01 <= 0.2',
    });
    expect(evaluateGate(policy.gate, metrics, gateEvidence(policy, 25, { minTestSize: 20 })).passed).toBe(true);
    expect([MODEL_POLICIES.mnist.minTestSize, MODEL_POLICIES.cifar10.minTestSize, MODEL_POLICIES.power.minTestSize]).toEqual([200, 200, 48]);
  });

  it('compares against the champion in the metric direction', () => {
    expect(beatsChampion(MODEL_POLICIES.mnist, 0.97, 0.96)).toBe(true);
    expect(beatsChampion(MODEL_POLICIES.mnist, 0.96, 0.96)).toBe(false);
    expect(beatsChampion(MODEL_POLICIES.power, 0.3, 0.4)).toBe(true);
    expect(beatsChampion(MODEL_POLICIES.power, 0.5, 0.4)).toBe(false);
    expect(beatsChampion(MODEL_POLICIES.power, 0.5, undefined)).toBe(true);
  });
});

describe('hyper-parameter resolution', () => {
  it('merges overrides into defaults', () => {
    expect(resolveParams('mnist', { epochs: 2 })).toMatchObject({ epochs: 2, batchSize: 64 });
  });
  it('rejects unknown keys and wrong types, naming them', () => {
    expect(() => resolveParams('mnist', { epoch: 2 })).toThrow("invalid mnist params: params: unknown key 'epoch'; accepted: model, epochs,");
    expect(() => resolveParams('tick', { epochs: '2' })).toThrow('invalid tick params: params.epochs: Invalid input: expected number, received string');
    expect(() => resolveParams('mnist', { model: 'resnet' })).toThrow('invalid mnist params: params.model: Invalid option: expected one of "cnn"|"mlp"');
  });
});

describe('championDecision', () => {
  const power = MODEL_POLICIES.power;

  it('judges a challenger against the champion scored on the same data, whatever the champion recorded on its own window', () => {
    // The champion was better on its own (quieter) window, 0.30, but scores 0.60 on the challenger's rows.
    const onSameData = championDecision(power, 0.45, { version: '1', value: 0.6, sameData: true });
    expect(onSameData).toEqual({ promote: true, note: "now champion (test_rmse 0.45 vs v1's 0.6 on the same test data)" });
    // And the other way round: the champion forecasts the challenger's rows better than the challenger does.
    expect(championDecision(power, 0.45, { version: '1', value: 0.4, sameData: true })).toEqual({
      promote: false,
      note: "champion stays v1 (test_rmse 0.45 vs v1's 0.4 on the same test data)",
    });
  });

  it('says when the comparison fell back to the champion’s own metric, and crowns the first model', () => {
    expect(championDecision(MODEL_POLICIES.tick, 2, { version: '3', value: 2.5, sameData: false }).note).toBe(
      "champion stays v3 (backtest_sharpe 2 vs v3's 2.5 on its own test data (not scored on this data))",
    );
    expect(championDecision(power, 0.5, undefined)).toEqual({ promote: true, note: 'first champion' });
    expect(championDecision(power, 0.5, { version: '2', value: undefined, sameData: true }).promote).toBe(true);
  });
});
