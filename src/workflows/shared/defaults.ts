/**
 * Default hyper-parameters per pipeline and the check of overrides, both read from the input schema
 * (input-schema.ts), the one definition of what a pipeline accepts.
 */
import { defaultParams, describeIssues, InvalidInputError, PARAMS_SCHEMAS, PIPELINE_NAMES } from './input-schema';
import type { HyperParams, PipelineName } from './types';

export { assertInputSize, MAX_INPUT_BYTES } from './input-schema';

export const DEFAULT_PARAMS = Object.fromEntries(PIPELINE_NAMES.map((p) => [p, defaultParams(p)])) as unknown as Record<PipelineName, HyperParams>;

/** Merges overrides into defaults; an unknown key, a wrong type or a value out of range is an input error. */
export function resolveParams(pipeline: PipelineName, overrides: unknown = {}): HyperParams {
  const parsed = PARAMS_SCHEMAS[pipeline].safeParse(overrides ?? {});
  if (!parsed.success) throw new InvalidInputError(`invalid ${pipeline} params: ${describeIssues(parsed.error.issues.map((i) => ({ ...i, path: ['params', ...i.path] })))}`);
  return parsed.data as HyperParams;
}
