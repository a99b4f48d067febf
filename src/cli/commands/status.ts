/** `durable-ml status <workflow-id>`: where a run stands, what it is doing now, and how it ended. */
import { Command } from 'commander';
import { WorkflowExecutionDescription } from '@temporalio/client';
import { PipelineResult, WORKFLOW_TYPE } from '../../client';
import { cliConfig, withPipelines, workflowUrl } from '../context';
import { failureMessage } from '../errors';
import { formatSeconds, formatTime, printJson } from '../format';
import { printResult } from '../summary';
import { activitiesOf, ActivityView, heartbeatText, queryProgress } from '../watch';

export function pipelineOfType(type: string): string | undefined {
  return Object.entries(WORKFLOW_TYPE).find(([, t]) => t === type)?.[0];
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show a workflow: status, stage, pending activities with their progress, result or failure')
    .summary("show one workflow's status, progress and outcome")
    .argument('<workflow-id>', 'workflow id, as printed by `start` or `list`')
    .option('--json', 'print one JSON object')
    .addHelpText('after', '\nExamples:\n  $ durable-ml status power-3f2a9c1b0d4e5f67\n  $ durable-ml status power-daily-2025-01-31T01:00:00Z --json')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const config = cliConfig();
      await withPipelines(async (pc) => {
        const handle = pc.pipelineHandle(workflowId);
        const d = await handle.describe();
        const status = d.status.name;
        // The progress query needs a worker (a closed workflow is replayed); skip it where it cannot help.
        const q = status === 'RUNNING' || status === 'COMPLETED' ? await queryProgress(pc, workflowId) : {};
        const activities = await activitiesOf(pc, d);
        let result: PipelineResult | undefined;
        let failure: string | undefined;
        if (status !== 'RUNNING') {
          try {
            result = await handle.result();
          } catch (err) {
            failure = failureMessage(err);
          }
        }
        const view = {
          workflowId,
          runId: d.runId,
          type: d.type,
          pipeline: pipelineOfType(d.type) ?? null,
          status,
          startTime: d.startTime.toISOString(),
          closeTime: d.closeTime?.toISOString() ?? null,
          taskQueue: d.taskQueue,
          url: workflowUrl(config, workflowId),
          progress: q.progress ?? null,
          progressError: q.error ?? null,
          pendingActivities: activities,
          result: result ?? null,
          failure: failure ?? null,
        };
        if (opts.json) printJson(view);
        else printStatus(d, view, activities, q.error, result, failure);
      });
    });
}

function printStatus(
  d: WorkflowExecutionDescription,
  view: { url: string; progress: { stage: string; partition?: string; mlflowRunId?: string; error?: string } | null; pipeline: string | null },
  activities: ActivityView[],
  progressError: string | undefined,
  result: PipelineResult | undefined,
  failure: string | undefined,
): void {
  const took = d.closeTime ? `  (took ${formatSeconds(d.closeTime.getTime() - d.startTime.getTime())})` : '';
  const lines: [string, string | undefined][] = [
    ['Workflow', d.workflowId],
    ['Type', `${d.type}${view.pipeline ? ` (pipeline ${view.pipeline})` : ''}`],
    ['Status', d.status.name],
    ['Started', formatTime(d.startTime)],
    ['Closed', d.closeTime ? `${formatTime(d.closeTime)}${took}` : undefined],
    ['Task queue', d.taskQueue],
    ['Stage', view.progress?.stage ?? (progressError ? `unavailable: ${progressError}` : undefined)],
    ['Partition', view.progress?.partition],
    ['MLflow run', view.progress?.mlflowRunId],
    ['Temporal UI', view.url],
  ];
  for (const [k, v] of lines) if (v) console.log(`${k.padEnd(12)}${v}`);
  if (activities.length) {
    console.log('Pending activities:');
    for (const a of activities) {
      const attempts = `attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}`;
      console.log(`  ${a.type}  ${a.state}  ${attempts}${heartbeatText(a.heartbeat) ? `  ${heartbeatText(a.heartbeat)}` : ''}`);
      if (a.lastHeartbeatTime) console.log(`    last heartbeat ${formatTime(new Date(a.lastHeartbeatTime))}`);
      if (a.lastFailure) console.log(`    last failure: ${a.lastFailure}`);
    }
  }
  if (result) {
    console.log('Result:');
    printResult(result);
  }
  if (failure) console.log(`Failure:    ${failure}`);
}
