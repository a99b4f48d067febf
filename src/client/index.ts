/**
 * A typed client other services import to start or run a pipeline. Workflow ids are deterministic:
 * the same request (same request id, or the same input when none is given) maps to the same workflow,
 * so a repeated start returns the existing execution instead of launching a duplicate.
 */
import { createHash } from 'node:crypto';
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowHandle } from '@temporalio/client';
import { AppConfig, loadConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { progressQuery } from '../workflows/shared/pipeline';
import { assertInputSize } from '../workflows/shared/defaults';
import type { PipelineInput, PipelineName, PipelineProgress, PipelineResult } from '../workflows/shared/types';

export type { PipelineInput, PipelineName, PipelineProgress, PipelineResult } from '../workflows/shared/types';

export const PIPELINES: PipelineName[] = ['mnist', 'cifar10', 'tick', 'power'];

export const WORKFLOW_TYPE: Record<PipelineName, string> = {
  mnist: 'mnistTraining',
  cifar10: 'cifar10Training',
  tick: 'tickTraining',
  power: 'powerTraining',
};

export interface StartOptions {
  input?: PipelineInput;
  /** Idempotency key of the caller's request; defaults to a hash of the input. */
  requestId?: string;
}

export function pipelineWorkflowId(pipeline: PipelineName, opts: StartOptions = {}): string {
  const key = opts.requestId ?? createHash('sha256').update(canonicalJson(opts.input ?? {})).digest('hex').slice(0, 16);
  return `${pipeline}-${key}`;
}

function canonicalJson(value: unknown): string {
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
  async start(pipeline: PipelineName, opts: StartOptions = {}): Promise<WorkflowHandle> {
    const workflowId = pipelineWorkflowId(pipeline, opts);
    const input: PipelineInput = { ...opts.input, taskQueues: opts.input?.taskQueues ?? this.config.taskQueues };
    // Refused here with a clear message, rather than by the server (or after gRPC retries) for large inputs.
    assertInputSize(input);
    try {
      return await this.client.workflow.start(WORKFLOW_TYPE[pipeline], {
        workflowId,
        taskQueue: this.config.taskQueues.cpu,
        args: [input],
        // Running: hand back the running execution. Closed: refuse a second one (caught below).
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        priority: { priorityKey: pipeline === 'tick' ? 1 : 3 },
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return this.client.workflow.getHandle(workflowId);
      throw err;
    }
  }

  async execute(pipeline: PipelineName, opts: StartOptions = {}): Promise<PipelineResult> {
    const handle = await this.start(pipeline, opts);
    return (await handle.result()) as PipelineResult;
  }

  async progress(workflowId: string): Promise<PipelineProgress> {
    return this.client.workflow.getHandle(workflowId).query(progressQuery);
  }

  async close(): Promise<void> {
    await this.client.connection.close();
  }
}
