/**
 * Default hyper-parameters per pipeline and the check of overrides, both read from the input schema
 * (input-schema.ts), the one definition of what a pipeline accepts.
 */
import { perPipeline } from '../../pipelines';
import { describeIssues, InvalidInputError, PARAMS_SCHEMAS } from './input-schema';
import type { HyperParams, PipelineName, PipelineParams } from './types';

export { assertInputSize, MAX_INPUT_BYTES } from './input-schema';

export const DEFAULT_PARAMS: { [P in PipelineName]: PipelineParams<P> } = perPipeline((entry) => entry.params.defaults) as { [P in PipelineName]: PipelineParams<P> };

/** Merges overrides into defaults; an unknown key, a wrong type or a value out of range is an input error. */
export function resolveParams(pipeline: PipelineName, overrides: unknown = {}): HyperParams {
  const parsed = PARAMS_SCHEMAS[pipeline].safeParse(overrides ?? {});
  if (!parsed.success) throw new InvalidInputError(`invalid ${pipeline} params: ${describeIssues(parsed.error.issues.map((i) => ({ ...i, path: ['params', ...i.path] })))}`);
  return parsed.data as HyperParams;
}
