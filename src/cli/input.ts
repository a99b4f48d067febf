/**
 * Turns `start` options into a PipelineInput. `--param k=v` values arrive as strings; each is converted to
 * the type of that pipeline's default, so `numBoostRound=20` becomes a number and `cell=gru` stays a string.
 * Everything is checked here, before connecting, so a typo costs no workflow.
 */
import { DEFAULT_PARAMS } from '../workflows/shared/defaults';
import { InvalidInputError, parsePipelineInput } from '../workflows/shared/input-schema';
import type { DataSource, HyperParams, PipelineInput, PipelineName } from '../workflows/shared/types';
import { UsageError } from './errors';

export interface StartFlags {
  param: string[];
  source?: 'synthetic' | 'files';
  size?: 'tiny' | 'small';
  dataDir?: string;
  trainingDate?: string;
  windowStart?: string;
  windowEnd?: string;
}

export function knownParams(pipeline: PipelineName): string {
  return Object.entries(DEFAULT_PARAMS[pipeline])
    .map(([k, v]) => `${k}=${v} (${typeof v})`)
    .join(', ');
}

export function parseParams(pipeline: PipelineName, pairs: string[]): HyperParams {
  const defaults: Record<string, unknown> = DEFAULT_PARAMS[pipeline];
  const out: HyperParams = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    if (!(key in defaults)) {
      throw new UsageError(`unknown parameter '${key}' for pipeline ${pipeline}.\nKnown parameters (default): ${knownParams(pipeline)}`);
    }
    out[key] = convert(pipeline, key, raw, typeof defaults[key]);
  }
  return out;
}

function convert(pipeline: PipelineName, key: string, raw: string, type: string): string | number | boolean {
  if (type === 'number') {
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n)) throw new UsageError(`parameter '${key}' of pipeline ${pipeline} must be a number, got '${raw}'`);
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|yes|1)$/i.test(raw)) return true;
    if (/^(false|no|0)$/i.test(raw)) return false;
    throw new UsageError(`parameter '${key}' of pipeline ${pipeline} must be true or false, got '${raw}'`);
  }
  return raw;
}

export function parseInstant(value: string, flag: string): Date {
  const d = new Date(value);
  if (!value || Number.isNaN(d.getTime())) throw new UsageError(`${flag} must be an ISO-8601 date or time (e.g. 2025-01-31 or 2025-01-31T00:00:00Z), got '${value}'`);
  return d;
}

export function buildInput(pipeline: PipelineName, flags: StartFlags): PipelineInput {
  const input: PipelineInput = {};
  const params = parseParams(pipeline, flags.param);
  if (Object.keys(params).length) input.params = params;

  const source = flags.source ?? (flags.dataDir ? 'files' : flags.size ? 'synthetic' : undefined);
  if (source === 'synthetic' && flags.dataDir) throw new UsageError('--data-dir applies to --source files only');
  if (source === 'files' && flags.size) throw new UsageError('--size applies to --source synthetic only');
  if (source) {
    const s: DataSource = source === 'files' ? { kind: 'files', ...(flags.dataDir ? { dir: flags.dataDir } : {}) } : { kind: 'synthetic', ...(flags.size ? { size: flags.size } : {}) };
    input.source = s;
  }

  if (flags.trainingDate !== undefined) input.trainingDate = flags.trainingDate;
  if ((flags.windowStart === undefined) !== (flags.windowEnd === undefined)) {
    throw new UsageError('--window-start and --window-end go together');
  }
  if (flags.windowStart !== undefined && flags.windowEnd !== undefined) {
    const start = parseInstant(flags.windowStart, '--window-start');
    const end = parseInstant(flags.windowEnd, '--window-end');
    if (start >= end) throw new UsageError('--window-start must be before --window-end');
    input.window = { start: start.toISOString(), end: end.toISOString() };
  }
  return checkedInput(pipeline, input);
}

/** The schema the workflow applies at its boundary, applied here first: a bad value is a usage error (exit 2). */
export function checkedInput(pipeline: PipelineName, input: PipelineInput): PipelineInput {
  try {
    parsePipelineInput(pipeline, input);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new UsageError(err.message);
    throw err;
  }
  return input;
}
