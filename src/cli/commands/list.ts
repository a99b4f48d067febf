/** `durable-ml list`: recent pipeline workflows from Temporal's visibility store. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { PIPELINES, PipelineName, WORKFLOW_TYPE } from '../../client';
import { withPipelines } from '../context';
import { formatTime, printJson, printTable } from '../format';

const STATUSES = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'];

function parseStatus(value: string): string {
  const match = STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!match) throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}`);
  return match;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/**
 * Matches by workflow type or by the DmlPipeline search attribute: the type is set from the first moment,
 * the attribute only once the run has its MLflow run, but it is what the Web UI filters on.
 */
export function visibilityQuery(pipeline?: PipelineName, status?: string): string {
  const byPipeline = pipeline
    ? `(WorkflowType = '${WORKFLOW_TYPE[pipeline]}' OR DmlPipeline = '${pipeline}')`
    : `(WorkflowType IN (${PIPELINES.map((p) => `'${WORKFLOW_TYPE[p]}'`).join(', ')}) OR DmlPipeline IN (${PIPELINES.map((p) => `'${p}'`).join(', ')}))`;
  return status ? `${byPipeline} AND ExecutionStatus = '${status}'` : byPipeline;
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list recent pipeline workflows, newest first')
    .summary('list recent pipeline workflows')
    .addOption(new Option('--pipeline <pipeline>', 'only this pipeline').choices(PIPELINES))
    .option('--status <status>', `only this status: ${STATUSES.join(', ')}`, parseStatus)
    .option('--limit <n>', 'at most this many', parseLimit, 20)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ durable-ml list\n  $ durable-ml list --pipeline power --status Failed --limit 5')
    .action(async (opts: { pipeline?: PipelineName; status?: string; limit: number; json?: boolean }) => {
      await withPipelines(async (pc) => {
        const rows = [];
        for await (const wf of pc.client.workflow.list({ query: visibilityQuery(opts.pipeline, opts.status), pageSize: opts.limit })) {
          rows.push({ workflowId: wf.workflowId, type: wf.type, status: wf.status.name, startTime: formatTime(wf.startTime), closeTime: formatTime(wf.closeTime) });
          if (rows.length >= opts.limit) break;
        }
        if (opts.json) return printJson(rows);
        if (!rows.length) return console.log('No pipeline workflows match.');
        printTable(
          ['WORKFLOW ID', 'TYPE', 'STATUS', 'START TIME', 'CLOSE TIME'],
          rows.map((r) => [r.workflowId, r.type, r.status, r.startTime, r.closeTime]),
        );
      });
    });
}
