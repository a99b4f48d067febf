/**
 * The one definition of a pipeline's workflow input: hyper-parameters with their types, defaults and ranges,
 * the data source, the partition, gate overrides and task queues (parameters and gates from src/pipelines). The client and CLI check input with it before
 * starting, the workflow checks it once as its first step (non-retryable `InvalidInput`), and the schedule
 * config validates its workflow-input defaults with it. Unknown keys and kinds are errors that list what is
 * accepted. Bundled into the workflow sandbox: zod is plain, deterministic JavaScript without Node built-ins.
 */
import { z } from 'zod';
import { NonRetryableError } from '../../errors';
import { CATALOG, type Cifar10Params, type MnistParams, type PipelineName, type PowerParams, type TickParams } from '../../pipelines';
import { int, seed, strictObject, type ParamsOf } from '../../pipelines/params';

export { PIPELINE_NAMES, type PipelineName } from '../../pipelines';

/** A parameter schema from a catalog entry: its ranges, each key defaulting to the entry's default. */
function paramsSchema<S extends z.ZodRawShape>(params: { shape: S; defaults: ParamsOf<S> }) {
  const defaulted = Object.fromEntries(Object.entries(params.shape).map(([key, range]) => [key, (range as z.ZodType).default((params.defaults as Record<string, unknown>)[key])]));
  return strictObject(defaulted as unknown as { [K in keyof S]: z.ZodDefault<S[K]> });
}

/** Hyper-parameters per pipeline: ranges and defaults from the catalog entries (src/pipelines/<pipeline>.ts). */
export const PARAMS_SCHEMAS = {
  mnist: paramsSchema(CATALOG.mnist.params),
  cifar10: paramsSchema(CATALOG.cifar10.params),
  tick: paramsSchema(CATALOG.tick.params),
  power: paramsSchema(CATALOG.power.params),
};

/** The typed hyper-parameters of pipeline P, every key present (defaults applied at the workflow boundary). */
interface ParamsByPipeline {
  mnist: MnistParams;
  cifar10: Cifar10Params;
  tick: TickParams;
  power: PowerParams;
}
export type PipelineParams<P extends PipelineName = PipelineName> = ParamsByPipeline[P];
export type PipelineParamsInput<P extends PipelineName = PipelineName> = z.input<(typeof PARAMS_SCHEMAS)[P]>;

/** Paths in the input are relative to the data root; absolute paths and `..` never are. */
const relativeDir = z
  .string()
  .min(1)
  .max(1024)
  .refine((dir) => !/^([/\\]|[A-Za-z]:)/.test(dir) && !dir.split(/[/\\]/).includes('..') && !dir.includes('\0'), {
    message: 'must be a relative path under the data root (no leading /, no ..)',
  });

const SOURCE_KINDS = ['files', 'synthetic'] as const;
const filesSource = strictObject({ kind: z.literal('files'), dir: relativeDir.optional() });
const syntheticShape = { kind: z.literal('synthetic'), seed: seed.optional(), size: z.enum(['tiny', 'small']).optional() };
const sourceUnion = <S extends z.ZodRawShape>(synthetic: S) =>
  z.discriminatedUnion('kind', [filesSource, strictObject(synthetic)], {
    error: (issue) => (issue.code === 'invalid_union' ? `kind must be one of ${SOURCE_KINDS.join(', ')}, got ${JSON.stringify((issue.input as { kind?: unknown })?.kind)}` : undefined),
  });
export const sourceSchema = sourceUnion(syntheticShape);
/**
 * Tick sources: synthetic ticks may carry a planted signal, `momentum` = the lag-1 autocorrelation of 1-minute
 * returns (0 = none, the default; see src/data/ticks/generate.ts), so a model has something real to learn.
 */
export const tickSourceSchema = sourceUnion({
  ...syntheticShape,
  // 0.9 = MAX_MOMENTUM of the generator (not imported: this file is bundled into workflows, the generator needs Node).
  momentum: z.number().min(0).max(0.9).optional(),
});
export type DataSource = z.output<typeof tickSourceSchema>;

/** Real calendar dates only: 2026-02-30 and 2026-01-45 are refused. */
const isoDate = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });
export const windowSchema = strictObject({ start: isoInstant, end: isoInstant }).refine((w) => Date.parse(w.start) < Date.parse(w.end), {
  message: 'start must be before end',
  path: ['end'],
});
export type DataWindow = z.output<typeof windowSchema>;

/** A duration as `<number><unit>`, unit s, m, h or d ("30s", "1m", "6h"): the data sensor's interval and timeout. */
const DURATION_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. "30s", "1m", "6h")`);
  return Number(m[1]) * DURATION_UNITS_MS[m[2]];
}
const DURATION = /^\d+(\.\d+)?\s*[smhd]$/;
const duration = z.string().refine((d) => DURATION.test(d) && durationMs(d) >= 1000, { message: 'a duration of at least 1s such as "30s", "1m", "6h"' });
/** Polls a sensor input makes; NaN while a duration is unreadable (that field reports its own error). */
const sensorPolls = (s: { pollInterval?: string; timeout?: string }) => {
  const [poll, timeout] = [s.pollInterval ?? DEFAULT_SENSOR.pollInterval, s.timeout ?? DEFAULT_SENSOR.timeout];
  return DURATION.test(poll) && DURATION.test(timeout) ? durationMs(timeout) / durationMs(poll) : NaN;
};
/** Polls the sensor may make: each costs a few history events, and a history holds at most 51,200. */
export const MAX_SENSOR_POLLS = 2000;
export const DEFAULT_SENSOR = { pollInterval: '1m', timeout: '6h' } as const;
/**
 * How a partitioned run waits for its input files (src/workflows/shared/data-sensor.ts): scheduled and backfilled
 * runs always wait (with these defaults unless given); a run started by hand waits only when its input has `sensor`.
 */
export const sensorSchema = strictObject({ pollInterval: duration.optional(), timeout: duration.optional() }).refine(
  (s) => !(sensorPolls(s) > MAX_SENSOR_POLLS),
  { message: `timeout / pollInterval must be at most ${MAX_SENSOR_POLLS} polls (the workflow history stays bounded)`, path: ['pollInterval'] },
);

/** Temporal task queue names: what the server accepts, kept short and printable. */
const queueName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'a task queue name (letters, digits, . _ : -)');
export const taskQueuesSchema = strictObject({ cpu: queueName, gpu: queueName });
export type TaskQueues = z.output<typeof taskQueuesSchema>;

/**
 * Gate overrides per pipeline: finite numbers (zod refuses NaN and ±Infinity; text such as "1e12" is not a number)
 * for the metrics of that pipeline's gate (its catalog entry), and the minimum test-set size the gate needs.
 */
function gateSchema(P: PipelineName) {
  const thresholds = Object.fromEntries(CATALOG[P].policy.gate.map((c) => [c.metric, z.number().optional()]));
  return strictObject({ ...thresholds, minTestSize: int(1, 100_000_000).optional() });
}

function inputSchema<Params extends z.ZodType, Gate extends z.ZodType, Extra extends z.ZodRawShape = {}>(
  params: Params,
  gate: Gate,
  source: z.ZodType<DataSource> = sourceSchema,
  extra: Extra = {} as Extra,
) {
  return strictObject({
    ...extra,
    params,
    source: source.optional(),
    window: windowSchema.optional(),
    /**
     * Partition to train for, 'YYYY-MM-DD' (UTC): the training window ends at the start of that day, so a run
     * scheduled for a date, or backfilled for one, sees only data before it. Takes precedence over `window.end`.
     */
    trainingDate: isoDate.optional(),
    gate: gate.optional(),
    /** Filled by the client from config; workflow code cannot read the environment. */
    taskQueues: taskQueuesSchema.optional(),
    /** Train even when this partition already has a successful run (scheduled and backfilled runs skip it otherwise). */
    force: z.boolean().optional(),
    /** Wait for the partition's input files before prepare (see sensorSchema). */
    sensor: sensorSchema.optional(),
  });
}

export const INPUT_SCHEMAS = {
  mnist: inputSchema(PARAMS_SCHEMAS.mnist.prefault({}), gateSchema('mnist')),
  cifar10: inputSchema(PARAMS_SCHEMAS.cifar10.prefault({}), gateSchema('cifar10')),
  tick: inputSchema(PARAMS_SCHEMAS.tick.prefault({}), gateSchema('tick'), tickSourceSchema, {
    /** Days of ticks a scheduled run trains on, ending at its scheduled time (default 1: the last day; 7: the past week). */
    lookbackDays: int(1, 366).optional(),
    /**
     * 'champion': training starts from the current champion's weights (fine-tuning, e.g. tick-intraday) instead of
     * fresh ones; without a champion it trains fresh and says why. The param `warm_start_version` records which.
     */
    warmStart: z.literal('champion').optional(),
  }),
  power: inputSchema(PARAMS_SCHEMAS.power.prefault({}), gateSchema('power')),
};

/** What a caller passes to pipeline P (params and everything else optional). */
export type PipelineInputFor<P extends PipelineName> = z.input<(typeof INPUT_SCHEMAS)[P]>;
/**
 * Pipeline P's input as a caller writes it, checked against INPUT_SCHEMAS[P] but kept as written (defaults are
 * filled in when the run starts, so a schedule follows the defaults of the code that runs it). The schedule
 * config embeds it, so a schedule's input and a client's are one definition.
 */
export function writtenInputSchema<P extends PipelineName>(pipeline: P) {
  return z
    .record(z.string(), z.unknown())
    .default({})
    .superRefine((value, ctx) => {
      for (const issue of INPUT_SCHEMAS[pipeline].safeParse(value).error?.issues ?? []) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    })
    .transform((value) => value as PipelineInputFor<P>);
}

/** Any pipeline's input as a caller writes it; checked at run time against that pipeline's schema. */
export type PipelineInput = Omit<PipelineInputFor<PipelineName>, 'params' | 'gate'> & { params?: Record<string, unknown>; gate?: Record<string, unknown> };
/** The input after validation: every parameter present with its default. */
export type ValidInput<P extends PipelineName = PipelineName> = z.output<(typeof INPUT_SCHEMAS)[P]>;

export class InvalidInputError extends NonRetryableError {
  name = 'InvalidInput';
}

/** One line per problem, each naming the field (e.g. `params.batchSize`) and what it accepts. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}

/**
 * Workflow input is references and hyper-parameters: a few KiB. Anything near Temporal's payload limits
 * (2 MB per payload) would fail every workflow task later, so it is refused up front.
 */
export const MAX_INPUT_BYTES = 64 * 1024;

export function assertInputSize(input: unknown): void {
  const bytes = JSON.stringify(input ?? {}).length;
  if (bytes > MAX_INPUT_BYTES) {
    throw new InvalidInputError(`workflow input is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES}: pass data by reference (a path under the data root), not inline`);
  }
}

/** Validates a pipeline's input and fills in defaults; throws InvalidInputError naming every bad field. */
export function parsePipelineInput<P extends PipelineName>(pipeline: P, input: unknown): ValidInput<P> {
  assertInputSize(input);
  const parsed = INPUT_SCHEMAS[pipeline].safeParse(input ?? {});
  if (!parsed.success) throw new InvalidInputError(`invalid ${pipeline} input: ${describeIssues(parsed.error.issues)}`);
  return parsed.data as ValidInput<P>;
}

/** Defaults of every parameter of a pipeline (for help texts and the CLI's typed `--param`). */
export function defaultParams<P extends PipelineName>(pipeline: P): PipelineParams<P> {
  return PARAMS_SCHEMAS[pipeline].parse({}) as PipelineParams<P>;
}
