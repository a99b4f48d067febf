/**
 * Building blocks of the pipelines' parameter schemas: ranges only. Each pipeline's catalog entry puts them
 * together and declares its defaults next to them; input-schema.ts turns both into the workflow-input schema.
 * Plain zod: deterministic, no Node built-ins, safe to bundle into workflow code.
 */
import { z } from 'zod';

/** A strict object whose "unknown key" error lists the keys it accepts. */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; accepted: ${accepted}` : undefined),
  });
}

export const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** Seeds are safe non-negative integers: they end up in file names and RNG state, so no text and no fractions. */
export const seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const learningRate = z.number().gt(0).max(1);
export const epochs = int(1, 10_000);
export const batchSize = int(1, 65_536);

/** Image pipelines: `model` is 'cnn' or 'mlp' (a small dense net, much faster on CPU backends; `hiddenUnits` sizes it). */
export const visionParams = {
  model: z.enum(['cnn', 'mlp']),
  epochs,
  batchSize,
  learningRate,
  validationFraction: z.number().min(0).max(0.5),
  seed,
  hiddenUnits: int(1, 8192),
};

/** The parameter type a shape of ranges describes (every key present: defaults are applied at the boundary). */
export type ParamsOf<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;
