/**
 * Human-readable descriptions of a run for the Temporal Web UI: the workflow's summary and details (user
 * metadata set at start by the client, the CLI and schedule actions) and each stage activity's summary.
 * Pure and deterministic: built from the validated input only, so workflow code can call it too.
 */
import { CATALOG } from '../../pipelines';
import { gateWithOverrides, MODEL_POLICIES, type GateCondition } from './gates';
import { partitionLabel } from './partition';
import type { PipelineName, ValidInput } from './types';

const TITLE: Record<PipelineName, string> = { mnist: 'MNIST', cifar10: 'CIFAR-10', tick: 'Tick', power: 'Power' };
/** What each pipeline's `files` source reads: the format, as a person would name the data. */
const FILE_FORMAT: Record<PipelineName, string> = { mnist: 'real IDX', cifar10: 'real CIFAR binary', tick: 'tick CSV/Parquet', power: 'UCI power text' };
const OP: Record<GateCondition['op'], string> = { '>=': '≥', '<=': '≤', '<': '<' };

export interface RunDescription {
  /** One line, e.g. "MNIST CNN · real IDX · 8 epochs · partition 2026-11-23". */
  summary: string;
  /** Markdown: data, every parameter, the registration gate, task queues. */
  details: string;
}

export interface DescribeOptions {
  /** Started by a schedule: the partition is the scheduled time, known only when the run starts. */
  scheduled?: boolean;
}

/** "CNN", "MLP", "LSTM(16)", "LightGBM": the model as its family calls it. */
export function modelLabel(pipeline: PipelineName, input: ValidInput): string {
  const p = input.params as Record<string, unknown>;
  if (pipeline === 'power') return 'LightGBM';
  if (pipeline === 'tick') return `${String(p.cell).toUpperCase()}(${p.units})`;
  return String(p.model).toUpperCase();
}

function dataLabel(pipeline: PipelineName, input: ValidInput): string {
  const source = input.source ?? { kind: 'files' as const };
  if (source.kind === 'synthetic') return `synthetic ${source.size ?? 'small'}`;
  return source.dir ? `${FILE_FORMAT[pipeline]} (${source.dir})` : FILE_FORMAT[pipeline];
}

/** "8 epochs" or "300 rounds": how long training runs. */
export function lengthLabel(pipeline: PipelineName, input: ValidInput): string {
  const p = input.params as Record<string, unknown>;
  return pipeline === 'power' ? `${p.numBoostRound} rounds` : `${p.epochs} epochs`;
}

function partitionText(input: ValidInput, opts: DescribeOptions): string | undefined {
  const label = partitionLabel(input);
  if (label) return `partition ${label}`;
  return opts.scheduled ? 'partition = scheduled time' : undefined;
}

/** "test accuracy ≥ 0.95" (with the input's threshold overrides applied). */
export function gateText(pipeline: PipelineName, input: ValidInput): string {
  const gate = gateWithOverrides(MODEL_POLICIES[pipeline].gate, input.gate as Record<string, number> | undefined);
  return gate.map((c) => `${c.metric.replace(/_/g, ' ')} ${OP[c.op]} ${c.threshold}`).join(' and ');
}

export function describeRun(pipeline: PipelineName, input: ValidInput, opts: DescribeOptions = {}): RunDescription {
  const parts = [`${TITLE[pipeline]} ${modelLabel(pipeline, input)}`, dataLabel(pipeline, input), lengthLabel(pipeline, input), partitionText(input, opts)];
  const summary = parts.filter(Boolean).join(' · ');
  const params = Object.entries(input.params as Record<string, unknown>)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(' ');
  const policy = MODEL_POLICIES[pipeline];
  const details = [
    `**Pipeline** ${TITLE[pipeline]} · prepare → train → evaluate → register`,
    `**Data** ${dataLabel(pipeline, input)}${input.source?.kind === 'synthetic' && input.source.seed !== undefined ? ` (seed ${input.source.seed})` : ''}`,
    `**Partition** ${partitionLabel(input) ?? (opts.scheduled ? 'the scheduled time (see current details)' : 'all data')}`,
    `**Parameters** ${params}`,
    `**Registers** \`${policy.modelName}\` if ${gateText(pipeline, input)}; champion by ${policy.championMetric.replace(/_/g, ' ')}`,
    ...(input.taskQueues ? [`**Task queues** cpu \`${input.taskQueues.cpu}\`, gpu \`${input.taskQueues.gpu}\``] : []),
    ...(input.force ? ['**force**: trains even if the partition already has a model'] : []),
  ].join('\n\n');
  return { summary, details };
}

/** One-line summaries of each stage's activity, shown in the UI's event history ("train CNN on gpu, 8 epochs"). */
export function stageSummaries(pipeline: PipelineName, input: ValidInput, queues: { cpu: string; gpu: string }) {
  const trainQueue = queues[CATALOG[pipeline].queues.train];
  const policy = MODEL_POLICIES[pipeline];
  return {
    prepare: `prepare ${TITLE[pipeline]} (${dataLabel(pipeline, input)})`,
    train: `train ${modelLabel(pipeline, input)} on ${trainQueue}, ${lengthLabel(pipeline, input)}`,
    evaluate: `evaluate ${modelLabel(pipeline, input)} on the test set`,
    register: `register ${policy.modelName} if ${gateText(pipeline, input)}`,
    startTrackingRun: 'open the MLflow run',
    finishTrackingRun: 'close the MLflow run',
    findFinishedPartition: 'look for an earlier run of this partition',
    checkPartitionData: "check the partition's input files",
    requestPromotion: `ask champion-${policy.modelName} to promote this version if it beats the champion`,
  };
}
