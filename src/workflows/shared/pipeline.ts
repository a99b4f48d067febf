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
  patched,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { parsePipelineInput } from './input-schema';
import { DATASET, MLFLOW_RUN_ID, MODEL_VERSION, PARTITION, PIPELINE } from './search-attributes';
import type {
  Evaluation,
  HyperParams,
  PipelineName,
  PipelineProgress,
  PipelineResult,
  PreparedData,
  StageRequest,
  TrainingProgress,
  TrainedModel,
  ValidInput,
} from './types';
import { bookkeepingActivities } from './proxies';
import { promoteThroughChampionWorkflow } from './promotion';
import { partitionLabel, scheduleIdOfRun, withScheduledPartition } from './partition';
import { renderCurrentDetails } from './current-details';
import { sensorApplies, waitForPartitionData } from './data-sensor';

export const progressQuery = defineQuery<PipelineProgress>('progress');
export { dataReadySignal } from './data-sensor';
/** Sent by training activities so the `progress` query shows the epoch and loss, not just the stage. */
export const trainingProgressSignal = defineSignal<[TrainingProgress]>('trainingProgress');

export interface PipelineStages {
  prepare: (req: StageRequest) => Promise<PreparedData>;
  train: (req: StageRequest & { prepared: PreparedData }) => Promise<TrainedModel>;
  evaluate: (req: StageRequest & { prepared: PreparedData; model: TrainedModel }) => Promise<Evaluation>;
}

/** `stagesFor` builds the stage activities from the validated input (its task queues). */
export async function runPipeline(pipeline: PipelineName, requested: unknown, stagesFor: (input: ValidInput) => PipelineStages): Promise<PipelineResult> {
  const progress: PipelineProgress = { stage: 'starting' };
  // The Web UI's "current details" mirror the progress query; updating them records nothing in the history.
  const show = (update: Partial<PipelineProgress> = {}) => {
    Object.assign(progress, update);
    setCurrentDetails(renderCurrentDetails(progress));
  };
  setHandler(progressQuery, () => progress);
  setHandler(trainingProgressSignal, (training) => show({ training }));
  const failed = (err: unknown) => {
    const cause = rootCause(err);
    show({ failedStage: progress.stage, stage: 'failed', error: cause.message, errorType: cause.type });
  };
  let valid: ValidInput;
  try {
    valid = validatedInput(pipeline, requested);
  } catch (err) {
    failed(err);
    throw err;
  }
  const input = withScheduledPartition(pipeline, valid);
  const partition = partitionLabel(input);
  show({ partition });
  const params = input.params as HyperParams;
  const { workflowId, runId } = workflowInfo();
  const tracking = bookkeepingActivities(pipeline, input);
  if (partition) upsertTypedAttributes([{ key: PIPELINE, value: pipeline }, { key: PARTITION, value: `${pipeline}:${partition}` }]);

  // A scheduled or backfilled run of a partition its schedule already trained hands back that result: one model per partition.
  const scheduleId = scheduleIdOfRun();
  if (partition && scheduleId && !input.force && patched('skip-finished-partition')) {
    const previous = await tracking.findFinishedPartition({ pipeline, partition, scheduleId, runId });
    if (previous) {
      const reason = `partition ${partition} already trained by ${previous.workflowId} (run ${previous.runId}); nothing trained (set force: true to train again)`;
      show({ stage: 'skipped', mlflowRunUrl: previous.result.mlflowRunUrl, registration: previous.result.registration });
      upsertMemo({ skipped: reason, mlflowRunUrl: previous.result.mlflowRunUrl });
      return { ...previous.result, workflowId, skipped: { reason, workflowId: previous.workflowId, runId: previous.runId } };
    }
  }

  const run = await tracking.startTrackingRun({ pipeline, workflowId, workflowRunId: runId, params, tags: partition ? { partition } : {} });
  show({ mlflowRunId: run.runId, mlflowRunUrl: run.runUrl });
  upsertTypedAttributes([
    { key: PIPELINE, value: pipeline },
    { key: MLFLOW_RUN_ID, value: run.runId },
  ]);
  upsertMemo({ mlflowRunUrl: run.runUrl });

  const stages = stagesFor(input);
  const request: StageRequest = { pipeline, run, input, params };
  try {
    show({ stage: 'prepare' });
    if (sensorApplies(input, partition, scheduleId !== undefined) && patched('data-sensor')) {
      await waitForPartitionData(pipeline, input, tracking.checkPartitionData, (waitingForData) => show({ waitingForData }));
    }
    const prepared = await stages.prepare(request);
    progress.prepared = prepared;
    upsertTypedAttributes([{ key: DATASET, value: prepared.dataset }]);

    show({ stage: 'train' });
    const model = await stages.train({ ...request, prepared });
    show({ stage: 'evaluate', trained: { epochs: model.epochs, metrics: model.metrics, backend: model.backend } });
    const evaluation = await stages.evaluate({ ...request, prepared, model });

    show({ stage: 'register', evaluated: evaluation.metrics });
    const deferPromotion = patched('champion-workflow');
    let registration = await tracking.registerModel({ pipeline, run, model, metrics: evaluation.metrics, gateOverrides: input.gate, testSize: prepared.counts.n_test, deferPromotion });
    if (deferPromotion && registration.version) {
      const { modelName, version } = registration;
      const outcome = await promoteThroughChampionWorkflow(tracking.requestPromotion, { pipeline, modelName, version, runId: run.runId, metrics: evaluation.metrics });
      registration = { ...registration, champion: outcome.champion, reason: `${registration.reason}; ${outcome.note}` };
    }
    show({ registration });
    if (registration.version) upsertTypedAttributes([{ key: MODEL_VERSION, value: registration.version }]);

    await tracking.finishTrackingRun({ runId: run.runId, status: 'FINISHED', registered: registration.registered, experimentId: run.experimentId, workflowRunId: runId });
    show({ stage: 'done' });
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
    failed(err);
    // Close the MLflow run even when the workflow is being cancelled, so the UI shows its real fate.
    await CancellationScope.nonCancellable(() =>
      tracking.finishTrackingRun({ runId: run.runId, status: isCancellation(err) ? 'KILLED' : 'FAILED', experimentId: run.experimentId, workflowRunId: runId }),
    );
    throw err;
  }
}

/**
 * Input is checked once, at the workflow boundary, against the pipeline's schema: a bad value fails the workflow
 * at once (no activity, no MLflow run), not its tasks forever. Task queues: the workflow runs on the CPU queue,
 * so a `taskQueues.cpu` naming another queue (a typo) is refused rather than left waiting for a worker that never
 * comes; without `taskQueues` the CPU stages follow the workflow's own queue.
 */
function validatedInput(pipeline: PipelineName, requested: unknown): ValidInput {
  try {
    const input = parsePipelineInput(pipeline, requested);
    const ownQueue = workflowInfo().taskQueue;
    // Versioned: runs started before this check replay without it.
    if (input.taskQueues && input.taskQueues.cpu !== ownQueue && patched('check-cpu-task-queue')) {
      throw new Error(`invalid ${pipeline} input: taskQueues.cpu: '${input.taskQueues.cpu}' is not the queue this workflow runs on ('${ownQueue}'); leave taskQueues out or name it`);
    }
    return input;
  } catch (err) {
    throw ApplicationFailure.create({ type: 'InvalidInput', message: (err as Error).message, nonRetryable: true });
  }
}

/** The innermost cause: "Activity task failed" says less than the DataError beneath it. */
function rootCause(err: unknown): { message: string; type?: string } {
  let e = err as { message?: string; cause?: unknown; type?: string; name?: string } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return { message: e?.message ?? String(err), type: e?.type ?? e?.name };
}

function upsertTypedAttributes(pairs: SearchAttributeUpdatePair[]): void {
  upsertSearchAttributes(pairs);
}
