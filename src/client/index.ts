/**
 * A typed client other services import to start or run a pipeline. Workflow ids are deterministic:
 * the same request (same request id, or the same input when none is given) maps to the same workflow,
 * so a repeated start returns the existing execution instead of launching a duplicate.
 */
import { createHash } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowHandle } from '@temporalio/client';
import { AppConfig, loadConfig } from '../config';
import { CATALOG, PIPELINE_NAMES } from '../pipelines';
import { temporalConnectionOptions } from '../config/temporal';
import { cifar10Training, mnistTraining, powerTraining, progressQuery, tickTraining } from '../workflows';
import { InvalidInputError, parsePipelineInput } from '../workflows/shared/input-schema';
import { describeRun } from '../workflows/shared/describe';
import type { PipelineInput, PipelineName, PipelineProgress, PipelineResult } from '../workflows/shared/types';

export type { PipelineInput, PipelineName, PipelineProgress, PipelineResult } from '../workflows/shared/types';
export { InvalidInputError } from '../workflows/shared/input-schema';

export const PIPELINES: PipelineName[] = [...PIPELINE_NAMES];

/** Every pipeline workflow has this signature: starts and handles typed by it check arguments, results and queries. */
export type PipelineWorkflow = (input?: PipelineInput) => Promise<PipelineResult>;

/** The workflow function of each pipeline: passed to start calls instead of a type-name string. */
export const PIPELINE_WORKFLOWS: Record<PipelineName, PipelineWorkflow> = {
  mnist: mnistTraining,
  cifar10: cifar10Training,
  tick: tickTraining,
  power: powerTraining,
};

/** Workflow type names (the function names), for visibility queries and display. */
export const WORKFLOW_TYPE = Object.fromEntries(PIPELINES.map((p) => [p, PIPELINE_WORKFLOWS[p].name])) as Record<PipelineName, string>;

export interface StartOptions {
  input?: PipelineInput;
  /** Idempotency key of the caller's request; defaults to a hash of the input. */
  requestId?: string;
}

/**
 * Request ids become workflow ids (`<pipeline>-<request id>`), which Temporal limits in length and shows in URLs
 * and the CLI: printable ASCII without spaces, at most 200 characters.
 */
export const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

export function assertRequestId(requestId: string): void {
  if (!REQUEST_ID.test(requestId)) {
    const what = requestId.length > 200 ? `${requestId.length} characters long` : `'${requestId}'`;
    throw new InvalidInputError(`request id must be 1 to 200 printable characters without spaces (letters, digits, punctuation); got one ${what}`);
  }
}

export function pipelineWorkflowId(pipeline: PipelineName, opts: StartOptions = {}): string {
  if (opts.requestId !== undefined) assertRequestId(opts.requestId);
  const key = opts.requestId ?? createHash('sha256').update(canonicalJson(opts.input ?? {})).digest('hex').slice(0, 16);
  return `${pipeline}-${key}`;
}

/** JSON with object keys sorted: equal values give equal strings, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class PipelineClient {
  constructor(
    readonly client: Client,
    readonly config: AppConfig,
  ) {}

  static async connect(config: AppConfig = loadConfig()): Promise<PipelineClient> {
    const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
    return new PipelineClient(new Client({ connection, namespace: config.temporal.namespace }), config);
  }

  /** Starts the pipeline, or returns the handle of the execution this same request already started. */
  async start(pipeline: PipelineName, opts: StartOptions = {}): Promise<WorkflowHandle<PipelineWorkflow>> {
    const workflowId = pipelineWorkflowId(pipeline, opts);
    const input: PipelineInput = { ...opts.input, taskQueues: opts.input?.taskQueues ?? this.config.taskQueues };
    // The workflow's own boundary check, here first: a bad value or an oversized input starts nothing.
    const valid = parsePipelineInput(pipeline, input);
    if (input.taskQueues?.cpu !== this.config.taskQueues.cpu) {
      throw new InvalidInputError(`invalid ${pipeline} input: taskQueues.cpu: '${input.taskQueues?.cpu}' is not the CPU queue this client starts workflows on ('${this.config.taskQueues.cpu}')`);
    }
    // What the Web UI shows for this run instead of a bare id and raw JSON input.
    const { summary, details } = describeRun(pipeline, valid);
    try {
      return await this.client.workflow.start(PIPELINE_WORKFLOWS[pipeline], {
        staticSummary: summary,
        staticDetails: details,
        workflowId,
        taskQueue: this.config.taskQueues.cpu,
        args: [input],
        // Running: hand back the running execution. Closed: refuse a second one (caught below).
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        priority: { priorityKey: CATALOG[pipeline].priority },
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return this.pipelineHandle(workflowId);
      throw err;
    }
  }

  async execute(pipeline: PipelineName, opts: StartOptions = {}): Promise<PipelineResult> {
    const handle = await this.start(pipeline, opts);
    return handle.result();
  }

  /** A handle whose result and queries are typed as a pipeline's. */
  pipelineHandle(workflowId: string, runId?: string): WorkflowHandle<PipelineWorkflow> {
    return this.client.workflow.getHandle<PipelineWorkflow>(workflowId, runId);
  }

  async progress(workflowId: string): Promise<PipelineProgress> {
    return this.pipelineHandle(workflowId).query(progressQuery);
  }

  async close(): Promise<void> {
    await this.client.connection.close();
  }
}
