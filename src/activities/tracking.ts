/** MLflow run bookkeeping: exactly one run per workflow execution, found again (not re-created) on retry. */
import { Context, log } from '@temporalio/activity';
import { filterValue } from '../mlflow';
import { perPipeline } from '../pipelines';
import type { HyperParams, PipelineName, TrackingRun } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { cleanUpRunFiles } from './run-files';

/**
 * The timestamp for metrics an activity logs once: when the workflow scheduled it, the same in every retry. MLflow
 * keeps one row for identical (key, value, step, timestamp), so a retried evaluation does not log its metrics twice.
 */
export const onceTimestamp = (): number => Context.current().info.scheduledTimestampMs;

export const EXPERIMENT_OF: Record<PipelineName, string> = perPipeline((entry) => entry.experiment);

/** Tag keys on each MLflow run that link it back to its Temporal workflow execution. */
export const RUN_TAGS = { workflowId: 'temporal_workflow_id', workflowRunId: 'temporal_run_id', pipeline: 'pipeline' } as const;

export interface StartTrackingRequest {
  pipeline: PipelineName;
  workflowId: string;
  workflowRunId: string;
  params: HyperParams;
  tags?: Record<string, string>;
}

export function trackingActivities({ mlflow, dataRoot, keepCheckpoints = 0 }: ActivityDeps) {
  const runUrl = (experimentId: string, runId: string) => `${mlflow.trackingUri}/#/experiments/${experimentId}/runs/${runId}`;

  return {
    async startTrackingRun(req: StartTrackingRequest): Promise<TrackingRun> {
      const experimentId = await mlflow.getOrCreateExperiment(EXPERIMENT_OF[req.pipeline], { pipeline: req.pipeline });
      // A retry of this activity (e.g. the worker died after runs/create answered) must find the run it made.
      const [existing] = await mlflow.searchRuns([experimentId], `tags.${RUN_TAGS.workflowRunId} = ${filterValue(req.workflowRunId)}`, 1);
      const info =
        existing?.info ??
        (
          await mlflow.createRun(experimentId, req.workflowId, {
            [RUN_TAGS.workflowId]: req.workflowId,
            [RUN_TAGS.workflowRunId]: req.workflowRunId,
            [RUN_TAGS.pipeline]: req.pipeline,
            'mlflow.source.name': 'durable-ml',
            'mlflow.source.type': 'JOB',
          })
        ).info;
      // Same values on a retry are accepted by MLflow; params are immutable otherwise.
      await mlflow.logBatch(info.run_id, { params: req.params, tags: req.tags });
      return { runId: info.run_id, experimentId, artifactUri: info.artifact_uri, runUrl: runUrl(experimentId, info.run_id) };
    },

    /**
     * Closes the MLflow run with its final state, then removes what the run no longer needs on disk: its
     * checkpoints, and its model folder unless the model was registered.
     */
    async finishTrackingRun(req: {
      runId: string;
      status: 'FINISHED' | 'FAILED' | 'KILLED';
      registered?: boolean;
      /** With both, other MLflow runs of the same execution (see below) are deleted. */
      experimentId?: string;
      workflowRunId?: string;
    }): Promise<void> {
      await mlflow.setTerminated(req.runId, req.status);
      // startTrackingRun is a local activity: when a workflow task times out while it runs (a stalled or killed
      // worker), another worker runs it again, and the two may both find no run and create one each. The
      // workflow went on with the run its history recorded; the other is an orphan, removed here, at the end.
      if (req.experimentId && req.workflowRunId) {
        const runs = await mlflow.searchRuns([req.experimentId], `tags.${RUN_TAGS.workflowRunId} = ${filterValue(req.workflowRunId)}`, 10);
        for (const orphan of runs.filter((r) => r.info.run_id !== req.runId)) {
          log.warn('deleting an MLflow run created twice for one workflow execution', { kept: req.runId, deleted: orphan.info.run_id });
          await mlflow.deleteRun(orphan.info.run_id);
        }
      }
      // Best effort: files left behind cost disk, not correctness, and a storage fault here (the same one that may
      // have failed the run) must not replace the run's own failure with a cleanup error.
      await cleanUpRunFiles(dataRoot, req.runId, { keepCheckpoints, keepModel: req.registered === true }).catch((err: Error) =>
        log.warn('could not clean up the run files', { runId: req.runId, error: err.message }),
      );
    },
  };
}
