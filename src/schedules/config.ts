/**
 * The schedule config file (config/schedules.json): one Temporal Schedule per entry, validated up front so a
 * typo fails `schedules apply` with the entry and field named, before anything is changed on the server.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { PIPELINE_NAMES, type PipelineName } from '../pipelines';
import { writtenInputSchema } from '../workflows/shared/input-schema';

const OVERLAP = ['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'] as const;
const DURATION = /^\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/;

const entryFields = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  cron: z.array(z.string().min(1)).min(1),
  timeZone: z.string().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as UTC or America/New_York'),
  overlap: z.enum(OVERLAP).default('SKIP'),
  catchupWindow: z.string().regex(DURATION, "a duration such as '1 hour' or '10m'").default('1 hour'),
  paused: z.boolean().default(false),
  note: z.string().optional(),
};

/** An entry for pipeline P: its `input` is P's workflow input as written (input-schema.ts), checked by P's schema. */
function entryFor<P extends PipelineName>(pipeline: P) {
  return z.strictObject({ ...entryFields, pipeline: z.literal(pipeline), input: writtenInputSchema(pipeline) });
}

export const scheduleEntrySchema = z.discriminatedUnion('pipeline', [entryFor('mnist'), entryFor('cifar10'), entryFor('tick'), entryFor('power')], {
  error: (issue) => (issue.code === 'invalid_union' ? `pipeline must be one of ${PIPELINE_NAMES.join(', ')}, got ${JSON.stringify((issue.input as { pipeline?: unknown })?.pipeline)}` : undefined),
});

export const scheduleConfigSchema = z
  .object({
    $comment: z.string().optional(),
    schedules: z.array(scheduleEntrySchema),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.schedules.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'id'], message: `duplicate schedule id '${s.id}'` });
      seen.add(s.id);
    });
  });

export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;
export type ScheduleConfig = z.infer<typeof scheduleConfigSchema>;

export class ScheduleConfigError extends Error {
  name = 'ScheduleConfigError';
}

export function parseScheduleConfig(json: unknown, source = 'schedule config'): ScheduleConfig {
  const parsed = scheduleConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new ScheduleConfigError(`${source} is invalid:\n${problems}`);
  }
  return parsed.data;
}

export function loadScheduleConfig(file: string): ScheduleConfig {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ScheduleConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseScheduleConfig(json, file);
}
