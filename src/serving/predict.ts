/**
 * Predictions of a downloaded registered model: the LightGBM booster (power) or the tfjs model on the native
 * backend (images), after checking the inputs against the model's MLflow signature.
 */
import path from 'node:path';
import { Booster, loadLightgbm } from '../lightgbm';
import { readRegularFile } from '../data/paths';
import { LIGHTGBM_DATA_FILE, type ColumnSpec, type TensorSpec } from '../mlflow';
import { loadTfBackend } from '../models/backend';
import { loadModelFiles } from '../models/fs-io';
import type { DownloadedModel } from './registered-model';
import type { ModelInput } from './inputs';
import { PredictError } from './errors';

export interface Predictions {
  /** One row per input row: the value (regression) or the class probabilities. */
  values: Float64Array | Float32Array;
  /** Values per input row (1 for a regression, the class count for a classifier). */
  width: number;
}

function signatureInputs(model: DownloadedModel): (ColumnSpec | TensorSpec)[] {
  const text = model.mlmodel.signature?.inputs;
  if (!text) throw new PredictError(`${model.name} v${model.version} has no signature in its MLmodel (logged before signatures were added); retrain it`);
  return JSON.parse(text) as (ColumnSpec | TensorSpec)[];
}

/** The inputs must be what the model was trained on: the same named columns, or a tensor of the same shape. */
function checkAgainstSignature(model: DownloadedModel, input: ModelInput): void {
  const specs = signatureInputs(model);
  const what = `${model.name} v${model.version}`;
  if (specs[0]?.type === 'tensor') {
    const expected = (specs[0] as TensorSpec)['tensor-spec'].shape;
    const actual = input.x.shape;
    if (expected.length !== actual.length || expected.some((d, i) => d !== -1 && d !== actual[i])) {
      throw new PredictError(`${what} expects inputs of shape [${expected.join(', ')}], the files give [${actual.join(', ')}]`);
    }
    return;
  }
  const names = (specs as ColumnSpec[]).map((c) => c.name);
  if (input.columns?.join(',') !== names.join(',')) {
    throw new PredictError(`${what} expects columns ${names.join(', ')}; the inputs give ${input.columns?.join(', ')} (trained with other feature settings?)`);
  }
}

export async function predictWith(model: DownloadedModel, input: ModelInput, opts: { lightgbmLib?: string } = {}): Promise<Predictions> {
  checkAgainstSignature(model, input);
  const [n, ...rest] = input.x.shape;
  if ('lightgbm' in model.mlmodel.flavors) {
    const text = (await readRegularFile(path.join(model.dir, LIGHTGBM_DATA_FILE))).toString('utf8');
    const booster = Booster.loadModelFromString(loadLightgbm(opts.lightgbmLib), text);
    try {
      return { values: await booster.predict(Float64Array.from(input.x.data), n, rest[0]), width: 1 };
    } finally {
      booster.free();
    }
  }
  if (!('tfjs' in model.mlmodel.flavors)) throw new PredictError(`${model.name} v${model.version} has neither a lightgbm nor a tfjs flavor`);
  const { tf } = await loadTfBackend();
  const layers = await loadModelFiles(tf, model.dir);
  const output = tf.tidy(() => layers.predict(tf.tensor(input.x.data, input.x.shape)) as import('@tensorflow/tfjs').Tensor);
  try {
    const values = (await output.data()) as Float32Array;
    return { values, width: n === 0 ? 0 : values.length / n };
  } finally {
    output.dispose();
    layers.dispose();
  }
}
