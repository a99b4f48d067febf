/** Registration gates: when a trained model may become a model version, and when it becomes champion. */
import type { PipelineName } from './types';

export interface GateCondition {
  metric: string;
  op: '>=' | '<=' | '<';
  threshold: number;
}

export interface ModelPolicy {
  modelName: string;
  gate: GateCondition[];
  /** Metric compared against the current champion's. */
  championMetric: string;
  higherIsBetter: boolean;
}

export const MODEL_POLICIES: Record<PipelineName, ModelPolicy> = {
  mnist: {
    modelName: 'mnist-cnn',
    gate: [{ metric: 'test_accuracy', op: '>=', threshold: 0.95 }],
    championMetric: 'test_accuracy',
    higherIsBetter: true,
  },
  cifar10: {
    modelName: 'cifar10-cnn',
    gate: [{ metric: 'test_accuracy', op: '>=', threshold: 0.85 }],
    championMetric: 'test_accuracy',
    higherIsBetter: true,
  },
  tick: {
    modelName: 'tick-model',
    gate: [
      { metric: 'backtest_sharpe', op: '>=', threshold: 1.5 },
      { metric: 'backtest_max_drawdown', op: '<=', threshold: 0.2 },
    ],
    championMetric: 'backtest_sharpe',
    higherIsBetter: true,
  },
  power: {
    modelName: 'power-consumption-model',
    gate: [{ metric: 'test_rmse', op: '<', threshold: 0.75 }],
    championMetric: 'test_rmse',
    higherIsBetter: false,
  },
};

export interface GateDecision {
  passed: boolean;
  reason: string;
}

/** Applies per-metric threshold overrides (from the workflow input) to a pipeline's gate. */
export function gateWithOverrides(gate: GateCondition[], overrides: Record<string, number> = {}): GateCondition[] {
  return gate.map((c) => (c.metric in overrides ? { ...c, threshold: overrides[c.metric] } : c));
}

export function evaluateGate(gate: GateCondition[], metrics: Record<string, number>): GateDecision {
  const failures: string[] = [];
  const passes: string[] = [];
  for (const c of gate) {
    const value = metrics[c.metric];
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (c.op === '>=' ? value >= c.threshold : c.op === '<=' ? value <= c.threshold : value < c.threshold);
    const text = `${c.metric}=${typeof value === 'number' ? round(value) : 'missing'} ${ok ? '' : 'not '}${c.op} ${c.threshold}`;
    (ok ? passes : failures).push(text);
  }
  return failures.length === 0
    ? { passed: true, reason: `gate passed: ${passes.join(', ')}` }
    : { passed: false, reason: `gate failed: ${failures.join(', ')}` };
}

export function beatsChampion(policy: ModelPolicy, candidate: number, champion: number | undefined): boolean {
  if (champion === undefined || !Number.isFinite(champion)) return true;
  return policy.higherIsBetter ? candidate > champion : candidate < champion;
}

function round(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
