/** `durable-ml start <pipeline>`: starts a run (deterministic id) and follows it with a live progress line. */
import { Argument, Command, Option } from 'commander';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { PIPELINES, PipelineName, pipelineWorkflowId } from '../../client';
import { cliConfig, withPipelines, workflowUrl } from '../context';
import { failureMessage } from '../errors';
import { formatSeconds, printJson } from '../format';
import { buildInput, StartFlags } from '../input';
import { printResult } from '../summary';
import { watchUntilClosed } from '../watch';

interface StartOptions extends Omit<StartFlags, 'param'> {
  param?: string[];
  requestId?: string;
  wait: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start a pipeline run and follow it until it finishes (exit code 1 if the workflow fails)')
    .summary('start a pipeline run and follow its progress')
    .addArgument(new Argument('<pipeline>', 'pipeline to run').choices(PIPELINES))
    .option('-p, --param <key=value>', "hyper-parameter override, repeatable; typed like the pipeline's default", collect)
    .addOption(new Option('--source <kind>', 'where the data comes from (default: the pipeline default)').choices(['synthetic', 'files']))
    .addOption(new Option('--size <size>', 'size of the synthetic data set').choices(['tiny', 'small']))
    .option('--data-dir <dir>', 'directory of raw files under the data root (implies --source files)')
    .option('--training-date <YYYY-MM-DD>', 'partition to train for: data before that day (UTC)')
    .option('--window-start <iso>', 'start of the data window (inclusive), with --window-end')
    .option('--window-end <iso>', 'end of the data window (exclusive)')
    .option('--request-id <id>', 'idempotency key: the same id always means the same workflow (default: a hash of the input)')
    .option('--no-wait', 'print the workflow id and return without waiting')
    .option('--json', 'print one JSON object instead of the progress display')
    .addHelpText(
      'after',
      `
The workflow id is deterministic: repeating the same command returns the existing workflow (and its result)
instead of training again. Use --request-id or different parameters for a new run.

Examples:
  $ durable-ml start power --source synthetic --param numBoostRound=50
  $ durable-ml start mnist --source synthetic --size tiny -p epochs=2 -p learningRate=0.002
  $ durable-ml start power --training-date 2025-01-31 --request-id power-2025-01-31 --no-wait`,
    )
    .action(async (pipeline: PipelineName, opts: StartOptions) => start(pipeline, opts));
}

async function start(pipeline: PipelineName, opts: StartOptions): Promise<void> {
  // Usage errors (bad parameters, a bad request id) before any connection.
  const input = buildInput(pipeline, { ...opts, param: opts.param ?? [] });
  const workflowId = pipelineWorkflowId(pipeline, { input, requestId: opts.requestId });
  const config = cliConfig();
  await withPipelines(async (pc) => {
    const previous = await pc.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch((err) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
    const handle = await pc.start(pipeline, { input, requestId: opts.requestId });
    const url = workflowUrl(config, handle.workflowId);
    const existing = previous ? previous.status.name : undefined;

    if (!opts.json) {
      console.log(`Workflow:    ${handle.workflowId}`);
      console.log(`Temporal UI: ${url}`);
      if (existing === 'RUNNING') console.log('This request is already running; following the existing workflow.');
      else if (existing) console.log(`This request already ran (${existing}); showing its outcome. Use --request-id or other parameters to train again.`);
    }
    if (!opts.wait) {
      if (opts.json) printJson({ workflowId: handle.workflowId, url, existing: existing ?? null });
      else console.log(`Follow it with: durable-ml status ${handle.workflowId}`);
      return;
    }

    const t0 = Date.now();
    const outcome = handle.result();
    // Ctrl-C stops watching, not the workflow: say so and how to pick it up again.
    const onSigint = () => {
      console.log(`\nStopped watching; the workflow keeps running. Follow it with: durable-ml status ${handle.workflowId}`);
      process.exit(130);
    };
    process.once('SIGINT', onSigint);
    try {
      if (!opts.json) await watchUntilClosed(pc, handle, outcome);
      const result = await outcome;
      if (opts.json) printJson({ workflowId: handle.workflowId, url, existing: existing ?? null, status: 'COMPLETED', result });
      else {
        console.log(`Completed ${handle.workflowId}${existing ? '' : ` in ${formatSeconds(Date.now() - t0)}`}`);
        printResult(result);
      }
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const message = failureMessage(err);
      if (opts.json) printJson({ workflowId: handle.workflowId, url, existing: existing ?? null, status: 'FAILED', error: message });
      else console.error(`Failed ${handle.workflowId}: ${message}`);
      process.exitCode = 1;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}

