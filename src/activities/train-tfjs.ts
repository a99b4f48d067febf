/**
 * Training activities for the tfjs models (GPU queue). The model trains in a worker thread; this side
 * heartbeats every 2 s (epoch, batch, metrics, checkpoint), logs per-epoch metrics to MLflow, and on a retry
 * the thread resumes from the newest intact checkpoint at the batch where the last attempt stopped.
 */
import { checkpointDirOf, modelDirOf } from '../data/layout';
import fs from 'node:fs/promises';
import { DataRoot } from '../data/paths';
import { Context, log } from '@temporalio/activity';
import { architectureFor, ModelFamily } from '../models/architectures';
import { runInThread } from '../models/training/run-in-thread';
import { DIVERGED, EpochRecord, ThreadMessage } from '../models/training/protocol';
import { paramsOf, type PreparedData, type StageRequest, type TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { ProgressReporter, startHeartbeating } from './progress';
import { tensorExample, writeMlflowModel } from './model-folder';
import { batchShape, tensorSpec } from '../mlflow';
import { keepInputScaling } from '../models/training/preprocessing';
import { checkpointName } from '../models/training/checkpoints';
import { BackgroundPublisher } from './remote-copy';
import { checkpointsRemote, deletePublishedCheckpoints, fetchCheckpointIfMissing, localPrepared, publishModel } from './shared-run-files';
import { warmStartDir } from './warm-start';

/** Heartbeat details of a training attempt: where it got to, and where its checkpoint is. */
export interface TrainingHeartbeat {
  epoch: number;
  totalEpochs: number;
  metrics: Record<string, number>;
  /** Batch reached in the epoch in flight (epoch + 1), of `batches`. */
  batch?: number;
  batches?: number;
  checkpointDir?: string;
  /** Newest checkpoint written by this attempt. */
  checkpoint?: string;
  backend?: string;
}

/** Default time between mid-epoch checkpoints (DML_CHECKPOINT_EVERY_SEC). */
export const DEFAULT_CHECKPOINT_EVERY_SEC = 60;
/** How often the activity heartbeats while its thread trains. */
const HEARTBEAT_EVERY_MS = 2_000;
/** MLflow tag values are limited; a reason is a sentence or two. */
const MAX_TAG_CHARS = 500;

export function tfjsTrainer(deps: ActivityDeps, family: ModelFamily) {
  const { mlflow, dataRoot, limits, checkpointEverySec = DEFAULT_CHECKPOINT_EVERY_SEC } = deps;
  return async (req: StageRequest & { prepared: PreparedData }): Promise<TrainedModel> => {
    const totalEpochs = paramsOf(req, family).epochs;
    const architecture = architectureFor(family, req.params);
    const attempt = Context.current().info.attempt;
    // Through the data root's boundary: a link planted at checkpoints/ or models/ must not lead the writes outside it.
    const root = await DataRoot.open(dataRoot, limits);
    const checkpointDir = await root.mkdir(checkpointDirOf(dataRoot, req.run.runId));
    const outputDir = await root.resolve(modelDirOf(dataRoot, req.run.runId));
    // Another machine may have prepared the data and checkpointed earlier attempts: both come through MLflow then.
    const preparedDir = await localPrepared(root, mlflow, req);
    const remote = checkpointsRemote(deps, req.run);
    const fetched = await fetchCheckpointIfMissing(remote, checkpointDir);
    if (fetched) {
      log.info('fetched the newest published checkpoint: an earlier attempt ran on another machine', { checkpoint: fetched, checkpointDir });
      await mlflow.setTag(req.run.runId, `checkpoint_fetched_attempt_${attempt}`, fetched);
    }
    // Publishing runs beside the training: only at checkpoint time, never per batch, and never awaited by a heartbeat.
    const publisher =
      remote &&
      new BackgroundPublisher(remote, (checkpoint, err) =>
        log.warn('checkpoint not published; a retry elsewhere resumes from an older one', { checkpoint, error: (err as Error).message }),
      );
    // The main thread is free while the thread trains, so the heartbeat keeps its pace whatever a batch costs.
    let details: TrainingHeartbeat = { epoch: 0, totalEpochs, metrics: {}, checkpointDir };
    const heart = startHeartbeating<TrainingHeartbeat>(details, HEARTBEAT_EVERY_MS);
    const beat = (update: Partial<TrainingHeartbeat>) => heart.beat((details = { ...details, ...update }));
    let backend = 'unknown';
    // The workflow (its progress query and the Web UI's current details) hears mid-epoch too, with speed and ETA.
    const reporter = new ProgressReporter('samples', Number(req.params.batchSize));
    let latestMetrics: Record<string, number> = {};
    let history: EpochRecord[] = [];
    let shapes: { inputShape: (number | null)[]; outputShape: (number | null)[] } | undefined;
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
      } else if (m.type === 'checkpoint-skipped') {
        log.warn('checkpoint unreadable, falling back to the previous one', { checkpoint: m.checkpoint, reason: m.reason, checkpointDir });
        await mlflow.setTag(req.run.runId, `checkpoint_skipped_attempt_${attempt}`, `${m.checkpoint}: ${m.reason}`.slice(0, MAX_TAG_CHARS));
      } else if (m.type === 'resumed') {
        log.info('resuming training from checkpoint', { fromEpoch: m.fromEpoch, fromBatch: m.fromBatch, checkpoint: m.checkpoint, checkpointDir });
        beat({ epoch: m.fromEpoch, batch: m.fromBatch, checkpoint: m.checkpoint });
        await mlflow.setTag(req.run.runId, `resumed_from_epoch_attempt_${attempt}`, String(m.fromEpoch));
        await mlflow.setTag(req.run.runId, `resumed_from_batch_attempt_${attempt}`, String(m.fromBatch));
        // Epochs whose metrics the crashed attempt may not have logged; identical rows are deduplicated by MLflow.
        await logEpochs(m.history);
      } else if (m.type === 'batch') {
        beat({ epoch: m.epoch - 1, batch: m.batch, batches: m.batches, backend });
        const progress = { epoch: m.epoch - 1, totalEpochs, metrics: latestMetrics, backend, batch: m.batch, batches: m.batches };
        await reporter.update(progress, (m.epoch - 1) * m.batches + m.batch, totalEpochs * m.batches);
      } else if (m.type === 'checkpoint') {
        beat({ checkpoint: m.checkpoint });
        publisher?.publish(m.checkpoint, `${checkpointDir}/${m.checkpoint}`);
      } else if (m.type === 'epoch') {
        beat({ epoch: m.record.epoch, batch: 0, metrics: m.record.metrics, backend });
        latestMetrics = m.record.metrics;
        const batches = details.batches ?? 0;
        await reporter.update({ epoch: m.record.epoch, totalEpochs, metrics: latestMetrics, backend }, m.record.epoch * batches, totalEpochs * batches, true);
        await logEpochs([m.record]);
      } else if (m.type === 'stopped') {
        log.info('training stopped with a checkpoint', { epochsDone: m.epochsDone, batchesDone: m.batchesDone, checkpointDir });
        publisher?.publish(checkpointName(m), `${checkpointDir}/${checkpointName(m)}`);
      } else if (m.type === 'trained') {
        history = m.history;
        shapes = { inputShape: m.inputShape, outputShape: m.outputShape };
      }
    };
    try {
      const initialModelDir = await warmStartDir(deps, req);
      await runInThread(
        { mode: 'train', architecture, preparedDir, params: req.params, checkpointDir, checkpointEveryMs: checkpointEverySec * 1000, outputDir, initialModelDir },
        onMessage,
        Context.current().cancellationSignal,
      );
    } catch (err) {
      if ((err as Error).name === DIVERGED) {
        // A diverged model is worthless and a retry would diverge again: leave nothing of it on disk.
        log.error('training diverged; removing its checkpoints and model files', { error: (err as Error).message, checkpointDir, outputDir });
        await Promise.all([checkpointDir, outputDir].map((dir) => fs.rm(dir, { recursive: true, force: true })));
      } else {
        // Stopped or failed: the retry may land on another machine, so let the newest checkpoint reach the store.
        await publisher?.idle();
      }
      throw err;
    } finally {
      heart.stop();
    }
    await keepInputScaling(root, preparedDir, outputDir);
    if (!shapes) throw new Error('training thread ended without reporting the trained model');
    await writeMlflowModel(root, outputDir, {
      runId: req.run.runId,
      flavor: { kind: 'tfjs', backend },
      signature: { inputs: [tensorSpec(batchShape(shapes.inputShape))], outputs: [tensorSpec(batchShape(shapes.outputShape))] },
      example: await tensorExample(preparedDir, 'x_test'),
    });
    const published = await publishModel(mlflow, req.run, outputDir);
    // Checkpoints serve only the retry of an unfinished training; kept, they would pile up in the store (one folder
    // per run). Deleted once the model is published: a worker killed in the moment left before this attempt's
    // completion reaches Temporal costs a retry elsewhere a training from scratch (the local checkpoints remain).
    await publisher?.idle();
    await deletePublishedCheckpoints(remote, (err) => log.warn('published checkpoints not deleted', { error: (err as Error).message }));
    const last = history[history.length - 1];
    return { dir: outputDir, format: 'tfjs-layers', backend, epochs: history.length, metrics: last?.metrics ?? {}, ...published };
  };
}

/** MLflow params naming what computed the training: backend, TensorFlow version (native only), threads per op. */
function backendParams(m: Extract<ThreadMessage, { type: 'backend' }>): Record<string, string> {
  return { tfjs_backend: m.backend, tensorflow_version: m.tensorflowVersion ?? 'none', tfjs_threads: String(m.threads) };
}
