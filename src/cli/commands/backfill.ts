/** `durable-ml backfill`: runs a schedule for past scheduled times, one run per interval in [from, to). */
import { Command, Option } from 'commander';
import { ScheduleNotFoundError } from '@temporalio/client';
import { PIPELINES } from '../../client';
import { backfillSchedule } from '../../schedules/apply';
import { cliConfig, scheduleUrl, withPipelines } from '../context';
import { CliError, UsageError } from '../errors';
import { formatTime } from '../format';
import { parseInstant } from '../input';
import { DEFAULT_SCHEDULE_FILE, readScheduleFile } from './schedules';

type Overlap = 'BUFFER_ALL' | 'ALLOW_ALL';

/** A pipeline name stands for the one schedule of that pipeline in the config file; anything else is a schedule id. */
export function resolveScheduleId(target: string, file: string): string {
  if (!(PIPELINES as string[]).includes(target)) return target;
  const matches = readScheduleFile(file).schedules.filter((s) => s.pipeline === target);
  if (matches.length === 0) throw new CliError(`no schedule for pipeline ${target} in ${file}; add one, or pass a schedule id`);
  if (matches.length > 1) throw new UsageError(`pipeline ${target} has several schedules in ${file} (${matches.map((s) => s.id).join(', ')}); pass one of these ids`);
  return matches[0].id;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description("start the runs a schedule would have started between two times (each trains on its own date's data)")
    .summary('run a schedule for a past time range')
    .argument('<pipeline-or-schedule-id>', 'a schedule id, or a pipeline name with exactly one schedule in the config file')
    .requiredOption('--from <iso>', 'first scheduled time to include, e.g. 2025-01-01T00:00:00Z')
    .requiredOption('--to <iso>', 'end of the range (exclusive)')
    .addOption(new Option('--overlap <policy>', 'BUFFER_ALL: one run after another; ALLOW_ALL: all at once').choices(['BUFFER_ALL', 'ALLOW_ALL']).default('BUFFER_ALL'))
    .option('--file <path>', 'schedule config file used to map a pipeline name to its schedule', DEFAULT_SCHEDULE_FILE)
    .addHelpText('after', '\nExamples:\n  $ durable-ml backfill power --from 2025-01-01 --to 2025-01-08\n  $ durable-ml backfill tick-daily --from 2025-03-03T00:00:00Z --to 2025-03-08T00:00:00Z --overlap ALLOW_ALL')
    .action(async (target: string, opts: { from: string; to: string; overlap: Overlap; file: string }) => {
      const from = parseInstant(opts.from, '--from');
      const to = parseInstant(opts.to, '--to');
      if (from >= to) throw new UsageError('--from must be before --to');
      const scheduleId = resolveScheduleId(target, opts.file);
      const config = cliConfig();
      await withPipelines(async (pc) => {
        let pipeline: unknown;
        try {
          pipeline = (await pc.client.schedule.getHandle(scheduleId).describe()).memo?.pipeline;
        } catch (err) {
          if (err instanceof ScheduleNotFoundError) throw new CliError(`schedule '${scheduleId}' does not exist on the server; create it with \`durable-ml schedules apply\``);
          throw err;
        }
        await backfillSchedule(pc.client, { scheduleId, from, to, overlap: opts.overlap });
        console.log(`Requested backfill of schedule ${scheduleId}${pipeline ? ` (pipeline ${pipeline})` : ''}`);
        console.log(`  range:   ${formatTime(from)} .. ${formatTime(to)} (end exclusive)`);
        console.log(`  overlap: ${opts.overlap}${opts.overlap === 'BUFFER_ALL' ? ' (one run after another)' : ' (all runs at once)'}`);
        console.log('Temporal starts one run per scheduled time in the range; each trains on the data before its scheduled date.');
        console.log('Watch it with:');
        console.log(`  durable-ml list${pipeline ? ` --pipeline ${pipeline}` : ''}`);
        console.log(`  ${scheduleUrl(config, scheduleId)}`);
      });
    });
}
