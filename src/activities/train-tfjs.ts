/**
 * Training activities for the tfjs models (GPU queue). The model trains in a worker thread; this side
 * heartbeats per epoch (epoch, metrics, checkpoint), logs per-epoch metrics to MLflow, and on a retry
 * the thread resumes from the last epoch checkpoint instead of epoch 0.
 */
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import { architectureFor, ModelFamily } from '../models/architectures';
import { runInThread } from '../models/training/run-in-thread';
import type { EpochRecord, ThreadMessage } from '../models/training/protocol';
import type { PreparedData, StageRequest, TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { reportTrainingProgress, startHeartbeating } from './progress';

/** Heartbeat details of a training attempt: where it got to, and where its checkpoint is. */
export interface TrainingHeartbeat {
  epoch: number;
  totalEpochs: number;
  metrics: Record<string, number>;
  checkpointDir?: string;
  backend?: string;
}

export function checkpointDirOf(dataRoot: string, mlflowRunId: string): string {
  return path.join(dataRoot, 'checkpoints', mlflowRunId);
}

export function modelDirOf(dataRoot: string, mlflowRunId: string): string {
  return path.join(dataRoot, 'models', mlflowRunId);
}

export function tfjsTrainer({ mlflow, dataRoot }: ActivityDeps, family: ModelFamily) {
  return async (req: StageRequest & { prepared: PreparedData }): Promise<TrainedModel> => {
    const totalEpochs = Number(req.params.epochs);
    const architecture = architectureFor(family, req.params);
    const heart = startHeartbeating<TrainingHeartbeat>({ epoch: 0, totalEpochs, metrics: {} });
    const checkpointDir = checkpointDirOf(dataRoot, req.run.runId);
    const outputDir = modelDirOf(dataRoot, req.run.runId);
    let backend = 'unknown';
    let history: EpochRecord[] = [];
    try {
      // Each epoch keeps its own timestamp, so a re-log after a crash is identical to the first.
      const logEpochs = (records: EpochRecord[]) =>
        mlflow.logBatch(req.run.runId, {
          metrics: records.flatMap((r) => Object.entries(r.metrics).map(([key, value]) => ({ key, value, step: r.epoch, timestamp: r.time }))),
        });
      const onMessage = async (m: ThreadMessage) => {
        if (m.type === 'backend') {
          backend = m.backend;
          log.info('tfjs backend for training', { backend: m.description });
          await mlflow.logBatch(req.run.runId, { params: backendParams(m) });
        } else if (m.type === 'resumed') {
          log.info('resuming training from checkpoint', { fromEpoch: m.fromEpoch, checkpointDir });
          await mlflow.setTag(req.run.runId, `resumed_from_epoch_attempt_${Context.current().info.attempt}`, String(m.fromEpoch));
          // Epochs whose metrics the crashed attempt may not have logged; identical rows are deduplicated by MLflow.
          await logEpochs(m.history);
        } else if (m.type === 'epoch') {
          heart.beat({ epoch: m.record.epoch, totalEpochs, metrics: m.record.metrics, checkpointDir, backend });
          await reportTrainingProgress({ epoch: m.record.epoch, totalEpochs, metrics: m.record.metrics, backend });
          await logEpochs([m.record]);
        } else if (m.type === 'trained') {
          history = m.history;
        }
      };
      await runInThread(
        { mode: 'train', architecture, preparedDir: req.prepared.dir, params: req.params, checkpointDir, outputDir },
        onMessage,
        Context.current().cancellationSignal,
      );
    } finally {
      heart.stop();
    }
    const last = history[history.length - 1];
    return { dir: outputDir, format: 'tfjs-layers', backend, epochs: history.length, metrics: last?.metrics ?? {} };
  };
}

/** MLflow params naming what computed the training: backend, TensorFlow version (native only), threads per op. */
function backendParams(m: Extract<ThreadMessage, { type: 'backend' }>): Record<string, string> {
  return { tfjs_backend: m.backend, tensorflow_version: m.tensorflowVersion ?? 'none', tfjs_threads: String(m.threads) };
}
