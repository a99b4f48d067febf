/**
 * The one pipeline template every training workflow follows: prepare → train → evaluate → register,
 * wrapped in exactly one MLflow run per workflow execution. Workflow files only pick the stage activities.
 */
import {
  ApplicationFailure,
  defineQuery,
  defineSignal,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  CancellationScope,
  isCancellation,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { assertInputSize, resolveParams } from './defaults';
import { DATASET, MLFLOW_RUN_ID, MODEL_VERSION, PIPELINE } from './search-attributes';
import type {
  Evaluation,
  PipelineInput,
  PipelineName,
  PipelineProgress,
  PipelineResult,
  PreparedData,
  StageRequest,
  TrainingProgress,
  TrainedModel,
} from './types';
import { bookkeepingActivities } from './proxies';
import { partitionLabel, withScheduledPartition } from './partition';

export const progressQuery = defineQuery<PipelineProgress>('progress');
/** Sent by training activities so the `progress` query shows the epoch and loss, not just the stage. */
export const trainingProgressSignal = defineSignal<[TrainingProgress]>('trainingProgress');

export interface PipelineStages {
  prepare: (req: StageRequest) => Promise<PreparedData>;
  train: (req: StageRequest & { prepared: PreparedData }) => Promise<TrainedModel>;
  evaluate: (req: StageRequest & { prepared: PreparedData; model: TrainedModel }) => Promise<Evaluation>;
}

export async function runPipeline(pipeline: PipelineName, requested: PipelineInput, stages: PipelineStages): Promise<PipelineResult> {
  const input = withScheduledPartition(pipeline, requested);
  const partition = partitionLabel(input);
  const progress: PipelineProgress = { stage: 'starting', partition };
  setHandler(progressQuery, () => progress);
  setHandler(trainingProgressSignal, (training) => {
    progress.training = training;
  });
  const params = validatedParams(pipeline, input);
  const { workflowId, runId } = workflowInfo();
  const tracking = bookkeepingActivities(input);

  const run = await tracking.startTrackingRun({ pipeline, workflowId, workflowRunId: runId, params, tags: partition ? { partition } : {} });
  progress.mlflowRunId = run.runId;
  upsertTypedAttributes([
    { key: PIPELINE, value: pipeline },
    { key: MLFLOW_RUN_ID, value: run.runId },
  ]);
  upsertMemo({ mlflowRunUrl: run.runUrl });

  const request: StageRequest = { pipeline, run, input, params };
  try {
    progress.stage = 'prepare';
    const prepared = await stages.prepare(request);
    progress.prepared = prepared;
    upsertTypedAttributes([{ key: DATASET, value: prepared.dataset }]);

    progress.stage = 'train';
    const model = await stages.train({ ...request, prepared });
    progress.trained = { epochs: model.epochs, metrics: model.metrics, backend: model.backend };

    progress.stage = 'evaluate';
    const evaluation = await stages.evaluate({ ...request, prepared, model });

    progress.stage = 'register';
    const registration = await tracking.registerModel({ pipeline, run, model, metrics: evaluation.metrics, gateOverrides: input.gate });
    if (registration.version) upsertTypedAttributes([{ key: MODEL_VERSION, value: registration.version }]);

    await tracking.finishTrackingRun({ runId: run.runId, status: 'FINISHED' });
    progress.stage = 'done';
    return {
      pipeline,
      workflowId,
      partition,
      mlflowRunId: run.runId,
      mlflowRunUrl: run.runUrl,
      backend: model.backend,
      metrics: { ...model.metrics, ...evaluation.metrics },
      registration,
    };
  } catch (err) {
    progress.stage = 'failed';
    progress.error = rootMessage(err);
    // Close the MLflow run even when the workflow is being cancelled, so the UI shows its real fate.
    await CancellationScope.nonCancellable(() =>
      tracking.finishTrackingRun({ runId: run.runId, status: isCancellation(err) ? 'KILLED' : 'FAILED' }),
    );
    throw err;
  }
}

/** Input is checked at the workflow boundary: a bad parameter fails the workflow at once, not its task forever. */
function validatedParams(pipeline: PipelineName, input: PipelineInput) {
  try {
    assertInputSize(input);
    return resolveParams(pipeline, input.params);
  } catch (err) {
    throw ApplicationFailure.create({ type: 'InvalidInput', message: (err as Error).message, nonRetryable: true });
  }
}

/** The innermost cause's message: "Activity task failed" says less than the DataError beneath it. */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

function upsertTypedAttributes(pairs: SearchAttributeUpdatePair[]): void {
  upsertSearchAttributes(pairs);
}
