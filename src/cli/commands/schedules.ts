/** `durable-ml schedules …`: keep Temporal Schedules in line with config/schedules.json, and operate them. */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { PROJECT_ROOT } from '../../config';
import { applySchedules, MANAGED_BY } from '../../schedules/apply';
import { loadScheduleConfig, ScheduleConfig, ScheduleConfigError } from '../../schedules/config';
import { OverlapPolicy, triggerSchedule } from '../../schedules/trigger';
import { cliConfig, scheduleUrl, withPipelines, workflowUrl } from '../context';
import { CliError } from '../errors';
import { formatTime, printTable } from '../format';

export const DEFAULT_SCHEDULE_FILE = path.join(PROJECT_ROOT, 'config', 'schedules.json');
const OVERLAP = ['SKIP', 'BUFFER_ONE', 'BUFFER_ALL', 'CANCEL_OTHER', 'TERMINATE_OTHER', 'ALLOW_ALL'] as const;

export function readScheduleFile(file: string): ScheduleConfig {
  try {
    return loadScheduleConfig(file);
  } catch (err) {
    if (err instanceof ScheduleConfigError) throw new CliError(err.message);
    throw err;
  }
}

export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('manage the Temporal Schedules that run pipelines on a cron')
    .summary('create, list, pause, unpause and trigger schedules')
    .addHelpText(
      'after',
      `
Examples:
  $ durable-ml schedules apply                  # create/update schedules from config/schedules.json
  $ durable-ml schedules apply --prune          # ...and delete durable-ml schedules no longer in the file
  $ durable-ml schedules list
  $ durable-ml schedules pause power-daily --note "data source down"
  $ durable-ml schedules trigger power-daily
  $ durable-ml schedules trigger power-daily --overlap allow-all`,
    );

  schedules
    .command('apply')
    .description('create or update schedules so the server matches the config file (idempotent)')
    .option('--file <path>', 'schedule config file', DEFAULT_SCHEDULE_FILE)
    .option('--prune', 'delete durable-ml schedules the file no longer names')
    .action(async (opts: { file: string; prune?: boolean }) => {
      const file = readScheduleFile(opts.file); // a bad file changes nothing on the server
      const config = cliConfig();
      await withPipelines(async (pc) => {
        const results = await applySchedules(pc.client, file, config.taskQueues, { prune: opts.prune });
        if (!results.length) return console.log('No schedules in the file.');
        for (const r of results) console.log(`${r.action.padEnd(10)}${r.id}${r.drift ? `  (differed from the file: ${r.drift.join(', ')})` : ''}`);
      });
    });

  schedules
    .command('list')
    .description('list schedules with their pipeline, state and next run')
    .action(async () => {
      await withPipelines(async (pc) => {
        const rows: string[][] = [];
        for await (const s of pc.client.schedule.list()) {
          const last = s.info.recentActions[s.info.recentActions.length - 1];
          rows.push([
            s.scheduleId,
            String(s.memo?.pipeline ?? '-'),
            s.state.paused ? 'paused' : 'active',
            formatTime(s.info.nextActionTimes[0]),
            last ? last.action.workflow.workflowId : '-',
            s.memo?.managedBy === MANAGED_BY ? (s.state.note ?? '') : '(not managed by durable-ml)',
          ]);
        }
        if (!rows.length) return console.log('No schedules. Create them with: durable-ml schedules apply');
        printTable(['SCHEDULE', 'PIPELINE', 'STATE', 'NEXT RUN', 'LAST WORKFLOW', 'NOTE'], rows.sort((a, b) => a[0].localeCompare(b[0])));
      });
    });

  schedules
    .command('pause')
    .description('pause a schedule: no runs start until it is unpaused')
    .argument('<id>', 'schedule id')
    .option('--note <text>', 'why it is paused (shown in the UI and `schedules list`)', 'paused with durable-ml CLI')
    .action(async (id: string, opts: { note: string }) => {
      await withPipelines(async (pc) => {
        await pc.client.schedule.getHandle(id).pause(opts.note);
        console.log(`paused    ${id}  (${opts.note})`);
      });
    });

  schedules
    .command('unpause')
    .description('resume a paused schedule')
    .argument('<id>', 'schedule id')
    .option('--note <text>', 'note to record', 'unpaused with durable-ml CLI')
    .action(async (id: string, opts: { note: string }) => {
      await withPipelines(async (pc) => {
        await pc.client.schedule.getHandle(id).unpause(opts.note);
        console.log(`unpaused  ${id}`);
      });
    });

  schedules
    .command('trigger')
    .description("start the schedule's workflow now (also when paused) and print its id, or say why it did not start")
    .argument('<id>', 'schedule id')
    .option('--overlap <policy>', `if a run of this schedule is still going: ${OVERLAP_CHOICES.join(', ')} (default: the schedule's policy)`, parseOverlap)
    .addHelpText('after', `\nExamples:\n  $ durable-ml schedules trigger power-daily\n  $ durable-ml schedules trigger power-daily --overlap allow-all   # run even if one is still going`)
    .action(async (id: string, opts: { overlap?: ScheduleOverlapPolicy }) => {
      const config = cliConfig();
      await withPipelines(async (pc) => {
        const outcome = await triggerSchedule(pc.client, id, opts.overlap);
        const policy = overlapName(outcome.overlap);
        if (outcome.kind === 'started') {
          console.log(`triggered ${id}\nWorkflow:    ${outcome.workflowId}\nTemporal UI: ${workflowUrl(config, outcome.workflowId)}\nFollow it with: durable-ml status ${outcome.workflowId}`);
          return;
        }
        const running = outcome.running.length ? `${outcome.running.join(', ')} is still running` : 'a run is still going';
        const force = `Run it anyway with: durable-ml schedules trigger ${id} --overlap allow-all\n  (or: temporal schedule trigger --schedule-id ${id} --overlap-policy AllowAll)`;
        if (outcome.kind === 'skipped') {
          throw new CliError(`skipped   ${id}: the overlap policy ${policy} skipped this trigger because ${running}.\n${force}`);
        }
        console.log(
          outcome.running.length
            ? `buffered  ${id}: ${running}; with overlap policy ${policy} the triggered run starts when it finishes.\n${force}`
            : `triggered ${id}, but no run is visible yet. See ${scheduleUrl(config, id)}`,
        );
      });
    });
}

/** Overlap policies as the CLI spells them (allow-all); SKIP, ALLOW_ALL and AllowAll are accepted too. */
const OVERLAP_CHOICES = OVERLAP.map((p) => p.toLowerCase().replace(/_/g, '-'));

function parseOverlap(value: string): ScheduleOverlapPolicy {
  const key = value.toLowerCase().replace(/[-_]/g, '');
  const match = OVERLAP.find((p) => p.toLowerCase().replace(/_/g, '') === key);
  if (!match) throw new InvalidArgumentError(`Allowed choices are ${OVERLAP_CHOICES.join(', ')}.`);
  return ScheduleOverlapPolicy[match];
}

function overlapName(policy: OverlapPolicy): string {
  return policy.toLowerCase().replace(/_/g, '-');
}
