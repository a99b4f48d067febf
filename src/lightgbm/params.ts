export type ParamValue = string | number | boolean | ReadonlyArray<string | number>;
/** LightGBM parameters, e.g. `{ objective: 'regression', num_leaves: 31, metric: ['l2', 'l1'] }`. */
export type Params = Readonly<Record<string, ParamValue | undefined>>;

const VERBOSITY_KEYS = ['verbosity', 'verbose'];

function formatValue(key: string, value: ParamValue): string {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError(`LightGBM parameter ${key} is an empty list`);
    return value.map((v) => formatValue(key, v)).join(',');
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`LightGBM parameter ${key} must be a finite number, got ${value}`);
  }
  const text = String(value);
  if (text === '' || /[\s=]/.test(text)) {
    throw new TypeError(`LightGBM parameter ${key}=${JSON.stringify(text)} must be non-empty, without whitespace or '='`);
  }
  return text;
}

/** LightGBM's `key1=value1 key2=value2` form; lists become comma-separated, booleans true/false. */
export function formatParams(params: Params): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z0-9_]+$/.test(key)) throw new TypeError(`Invalid LightGBM parameter name ${JSON.stringify(key)}`);
    pairs.push(`${key}=${formatValue(key, value)}`);
  }
  return pairs.join(' ');
}

/** Params with `verbosity: -1` added unless the caller chose a verbosity (LightGBM would print Info lines). */
export function withDefaultVerbosity(params: Params): Params {
  return VERBOSITY_KEYS.some((k) => params[k] !== undefined) ? params : { ...params, verbosity: -1 };
}

/** The verbosity these params ask for (after withDefaultVerbosity, always defined). */
export function verbosityOf(params: Params): number {
  for (const key of VERBOSITY_KEYS) {
    const value = params[key];
    if (value !== undefined) return Number(value);
  }
  return -1;
}

/** LightGBM metrics where a larger value is better (same rule as the Python package). */
export function isHigherBetter(metricName: string): boolean {
  return /^(auc|ndcg@|map@|average_precision)/.test(metricName);
}
