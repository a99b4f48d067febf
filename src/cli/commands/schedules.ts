/** `durable-ml schedules …`: keep Temporal Schedules in line with config/schedules.json, and operate them. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { PROJECT_ROOT } from '../../config';
import { applySchedules, MANAGED_BY } from '../../schedules/apply';
import { loadScheduleConfig, ScheduleConfig, ScheduleConfigError } from '../../schedules/config';
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
  $ durable-ml schedules trigger power-daily`,
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
        for (const r of results) console.log(`${r.action.padEnd(10)}${r.id}`);
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
    .description("start the schedule's workflow now (also when paused) and print its id")
    .argument('<id>', 'schedule id')
    .addOption(new Option('--overlap <policy>', 'what to do if a run of this schedule is still going (default: the schedule policy)').choices(OVERLAP))
    .action(async (id: string, opts: { overlap?: (typeof OVERLAP)[number] }) => {
      const config = cliConfig();
      await withPipelines(async (pc) => {
        const handle = pc.client.schedule.getHandle(id);
        const before = new Set((await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
        await handle.trigger(opts.overlap ? ScheduleOverlapPolicy[opts.overlap] : undefined);
        console.log(`triggered ${id}`);
        // Trigger returns before the workflow exists; the schedule's recent actions show it a moment later.
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const started = (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId).filter((w) => !before.has(w));
          if (started.length) {
            const wf = started[started.length - 1];
            console.log(`Workflow:    ${wf}\nTemporal UI: ${workflowUrl(config, wf)}\nFollow it with: durable-ml status ${wf}`);
            return;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
        console.log(`No run visible yet (the overlap policy may have skipped or buffered it). See ${scheduleUrl(config, id)}`);
      });
    });
}
