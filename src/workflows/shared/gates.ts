/** Registration gates: when a trained model may become a model version, and when it becomes champion. */
import { formatMetric } from '../../format';
import { perPipeline, type GateCondition, type ModelPolicy, type PipelineName } from '../../pipelines';

export type { GateCondition, ModelPolicy } from '../../pipelines';

/** Each pipeline's registration policy, from its catalog entry (src/pipelines/<pipeline>.ts). */
export const MODEL_POLICIES: Record<PipelineName, ModelPolicy> = perPipeline((entry) => entry.policy);

export interface GateDecision {
  passed: boolean;
  reason: string;
}

/** Applies per-metric threshold overrides (from the workflow input) to a pipeline's gate. */
export function gateWithOverrides(gate: readonly GateCondition[], overrides: Record<string, number> = {}): GateCondition[] {
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

export function evaluateGate(gate: readonly GateCondition[], metrics: Record<string, number>, evidence?: GateEvidence): GateDecision {
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
    const text = `${c.metric}=${typeof value === 'number' ? formatMetric(value) : 'missing'} ${ok ? '' : 'not '}${c.op} ${c.threshold}`;
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
  const versus = `${policy.championMetric} ${formatMetric(candidate)} vs v${current.version}'s ${current.value === undefined ? 'missing' : formatMetric(current.value)} ${on}`;
  return beatsChampion(policy, candidate, current.value)
    ? { promote: true, note: `now champion (${versus})` }
    : { promote: false, note: `champion stays v${current.version} (${versus})` };
}
