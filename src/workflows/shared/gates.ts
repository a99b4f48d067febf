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
  /**
   * The gate needs evidence: fewer test examples than this (images, bars, hourly rows) and the model is not
   * registered, whatever its metrics (a tick model once "passed" with Sharpe 56.7 on 25 test sequences).
   * Overridable per run with the input's `gate.minTestSize`.
   */
  minTestSize: number;
  testUnit: string;
}

export const MODEL_POLICIES: Record<PipelineName, ModelPolicy> = {
  mnist: {
    modelName: 'mnist-cnn',
    gate: [{ metric: 'test_accuracy', op: '>=', threshold: 0.95 }],
    championMetric: 'test_accuracy',
    higherIsBetter: true,
    // 200 images: the accuracy's standard error near 0.95 is about 0.015.
    minTestSize: 200,
    testUnit: 'images',
  },
  cifar10: {
    modelName: 'cifar10-cnn',
    gate: [{ metric: 'test_accuracy', op: '>=', threshold: 0.85 }],
    championMetric: 'test_accuracy',
    higherIsBetter: true,
    minTestSize: 200,
    testUnit: 'images',
  },
  tick: {
    modelName: 'tick-model',
    gate: [
      { metric: 'backtest_sharpe', op: '>=', threshold: 1.5 },
      { metric: 'backtest_max_drawdown', op: '<=', threshold: 0.2 },
    ],
    championMetric: 'backtest_sharpe',
    higherIsBetter: true,
    // An annualised Sharpe from a few dozen bars is noise; 100 sequences is about two hours of 1-minute bars per symbol.
    minTestSize: 100,
    testUnit: 'sequences',
  },
  power: {
    modelName: 'power-consumption-model',
    gate: [{ metric: 'test_rmse', op: '<', threshold: 0.75 }],
    championMetric: 'test_rmse',
    higherIsBetter: false,
    // Two days of hourly rows: every hour of the daily cycle measured twice.
    minTestSize: 48,
    testUnit: 'rows',
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

/** How much test data the metrics rest on, and how much the gate needs. */
export interface GateEvidence {
  /** Test examples the metrics were measured on; undefined when the caller did not say (runs started before this check). */
  testSize: number | undefined;
  minTestSize: number;
  unit: string;
}

/** The policy's evidence requirement, with the input's `gate.minTestSize` override applied. */
export function gateEvidence(policy: ModelPolicy, testSize: number | undefined, overrides: Record<string, number> = {}): GateEvidence {
  return { testSize, minTestSize: overrides.minTestSize ?? policy.minTestSize, unit: policy.testUnit };
}

export function evaluateGate(gate: GateCondition[], metrics: Record<string, number>, evidence?: GateEvidence): GateDecision {
  const failures: string[] = [];
  const passes: string[] = [];
  if (evidence?.testSize !== undefined) {
    const enough = evidence.testSize >= evidence.minTestSize;
    (enough ? passes : failures).push(`test set ${evidence.testSize} ${evidence.unit} ${enough ? '>=' : 'below the minimum'} ${evidence.minTestSize}`);
  }
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

/** The champion a challenger is compared with, and whether its value was measured on the challenger's own test data. */
export interface ChampionStanding {
  version: string;
  value: number | undefined;
  /** True when `value` is the champion scored on the challenger's test data; false: the champion's own recorded metric. */
  sameData: boolean;
}

/**
 * Whether a challenger takes the champion alias, and why. Pure, so it can move into a promotion workflow.
 * Metrics from different windows are not comparable (a champion from a quiet window would keep the alias for
 * ever), so the champion's value is its score on the challenger's own test data whenever evaluation measured it.
 */
export function championDecision(policy: ModelPolicy, candidate: number, current: ChampionStanding | undefined): { promote: boolean; note: string } {
  if (!current) return { promote: true, note: 'first champion' };
  const on = current.sameData ? 'on the same test data' : 'on its own test data (not scored on this data)';
  const versus = `${policy.championMetric} ${round(candidate)} vs v${current.version}'s ${current.value === undefined ? 'missing' : round(current.value)} ${on}`;
  return beatsChampion(policy, candidate, current.value)
    ? { promote: true, note: `now champion (${versus})` }
    : { promote: false, note: `champion stays v${current.version} (${versus})` };
}

function round(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
