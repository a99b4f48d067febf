/** Number formatting for people (gate reasons, champion notes, CLI tables). No imports: safe in workflow code. */

/** Integers as they are, other numbers to 4 significant digits (0.951234 → 0.9512); NaN and ±Infinity by name. */
export function formatMetric(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}
