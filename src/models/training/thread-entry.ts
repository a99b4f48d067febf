/**
 * Entry point of a training worker thread. tfjs (wasm or cpu backends especially) computes synchronously,
 * so training here keeps the activity's event loop free to heartbeat and to hear cancellation.
 */
import { isRetryable } from '../../errors';
import fs from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { describeBackend, loadTfBackend, Tf } from '../backend';
import { buildModel, TASK_OF } from '../architectures';
import { loadModelFiles, saveModelFiles, writeModelFiles } from '../fs-io';
import { readArray } from '../../data/arrays';
import { loadLatestCheckpoint, writeCheckpoint } from './checkpoints';
import { START, trainLoop, TrainingData } from './loop';
import type { PredictJob, ThreadData, ThreadMessage, TrainJob } from './protocol';
import { seedFor, seedMathRandom } from './seeding';
import { warmStart } from './warm-start';

const post = (m: ThreadMessage) => parentPort!.postMessage(m);
/** Batch progress goes to the activity's heartbeat; once a second is plenty. */
const BATCH_REPORT_EVERY_MS = 1_000;

async function main({ job, stop }: ThreadData): Promise<void> {
  const loaded = await loadTfBackend();
  post({ type: 'backend', backend: loaded.backend, description: describeBackend(loaded), tensorflowVersion: loaded.tensorflowVersion, threads: loaded.threads });
  if (job.mode === 'train') await train(loaded.tf, job, stop);
  else await predict(loaded.tf, job);
}

async function tensorOf(tf: Tf, dir: string, name: string) {
  const { shape, data } = await readArray(dir, name);
  return tf.tensor(data, shape);
}

/** A checkpoint holds the training config and optimizer state, so loading compiles the model as it was. */
async function loadCheckpointModel(tf: Tf, dir: string, job: TrainJob) {
  const model = await loadModelFiles(tf, dir);
  if (!model.optimizer) {
    const classification = TASK_OF[job.architecture] === 'classification';
    model.compile({
      optimizer: tf.train.adam(Number(job.params.learningRate)),
      loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
      metrics: classification ? ['accuracy'] : [],
    });
  }
  return model;
}

async function train(tf: Tf, job: TrainJob, stop: Int32Array): Promise<void> {
  const data: TrainingData = {
    xTrain: await tensorOf(tf, job.preparedDir, 'x_train'),
    yTrain: await tensorOf(tf, job.preparedDir, 'y_train'),
    xVal: await tensorOf(tf, job.preparedDir, 'x_val'),
    yVal: await tensorOf(tf, job.preparedDir, 'y_val'),
    augmentFrom: job.params.augment === true ? await readArray(job.preparedDir, 'x_train') : undefined,
  };
  const seed = Number(job.params.seed ?? 0);

  const { latest, skipped } = await loadLatestCheckpoint(job.checkpointDir, (dir) => loadCheckpointModel(tf, dir, job));
  for (const s of skipped) post({ type: 'checkpoint-skipped', ...s });
  let model;
  if (latest) {
    model = latest.loaded;
    post({ type: 'resumed', fromEpoch: latest.state.epochsDone, fromBatch: latest.state.batchesDone, checkpoint: latest.name, history: latest.state.history });
  } else {
    // Initialisers that take no seed draw from Math.random: seeded too.
    seedMathRandom(seedFor(seed, 'init'));
    model = buildModel(tf, job.architecture, data.xTrain.shape.slice(1), job.params);
    if (job.initialModelDir) {
      const source = await loadModelFiles(tf, job.initialModelDir);
      warmStart(model, source, job.initialModelDir);
      source.dispose();
    }
  }

  const totalEpochs = Number(job.params.epochs);
  let reportedAt = 0;
  const result = await trainLoop(
    tf,
    model,
    data,
    { totalEpochs, batchSize: Number(job.params.batchSize), seed, checkpointEveryMs: job.checkpointEveryMs },
    latest?.state ?? START,
    {
      shouldStop: () => Atomics.load(stop, 0) === 1,
      saveCheckpoint: (position) => writeCheckpoint(job.checkpointDir, position, (dir) => writeModelFiles(tf, model, dir, true)),
      onBatch: (epoch, batch, batches) => {
        if (Date.now() - reportedAt < BATCH_REPORT_EVERY_MS && batch < batches) return;
        reportedAt = Date.now();
        post({ type: 'batch', epoch, batch, batches });
      },
      onCheckpoint: (checkpoint, p) => post({ type: 'checkpoint', checkpoint, epochsDone: p.epochsDone, batchesDone: p.batchesDone }),
      onEpoch: (record) => post({ type: 'epoch', record, checkpointDir: job.checkpointDir, totalEpochs }),
    },
  );
  if (result.stopped) {
    post({ type: 'stopped', epochsDone: result.position.epochsDone, batchesDone: result.position.batchesDone });
    return;
  }
  await saveModelFiles(tf, model, job.outputDir, false);
  // Shapes with the batch dimension as null: the model's signature in MLflow.
  post({ type: 'trained', epochs: totalEpochs, history: result.position.history, inputShape: model.inputs[0].shape, outputShape: model.outputs[0].shape });
}

async function predict(tf: Tf, job: PredictJob): Promise<void> {
  const model = await loadModelFiles(tf, job.modelDir);
  const x = await tensorOf(tf, job.preparedDir, job.input);
  const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
  const data = (await y.data()) as Float32Array;
  await fs.writeFile(job.outputFile, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  post({ type: 'predicted', shape: y.shape, outputFile: job.outputFile });
}

main(workerData as ThreadData).catch((err: Error) => {
  post({ type: 'error', name: err.name, message: err.message, retryable: isRetryable(err), stack: err.stack });
});
