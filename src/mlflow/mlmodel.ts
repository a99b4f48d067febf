/**
 * The files that make a folder an MLflow model, in the layout MLflow's own `save_model` writes: the `MLmodel` YAML
 * (flavors, signature, input example info), `input_example.json` / `serving_input_example.json`, and for LightGBM the
 * environment files, so `mlflow.pyfunc.load_model(...)` and `mlflow models serve` work on what TypeScript trained.
 * LightGBM models get MLflow's `lightgbm` flavor plus `python_function`; tfjs models a `tfjs` flavor (MLflow has none).
 */
import YAML from 'yaml';

/** The MLflow release the project installs (scripts/versions.sh; a unit test keeps the two equal). */
export const MLFLOW_VERSION = '3.17.2';
/** The Python the project's .venv and its cp311 wheels are built for; python_env.yaml asks for it. */
export const MODEL_PYTHON_VERSION = '3.11';

export const MLMODEL_FILE = 'MLmodel';
export const INPUT_EXAMPLE_FILE = 'input_example.json';
export const SERVING_INPUT_EXAMPLE_FILE = 'serving_input_example.json';
export const LIGHTGBM_DATA_FILE = 'model.lgb';

/** A column of a DataFrame input (MLflow's ColSpec), e.g. a named LightGBM feature. */
export interface ColumnSpec {
  type: 'double' | 'float' | 'long' | 'integer';
  name: string;
  required: true;
}

/** A tensor input or output (MLflow's TensorSpec); -1 marks the batch dimension. */
export interface TensorSpec {
  type: 'tensor';
  'tensor-spec': { dtype: 'float32' | 'float64'; shape: number[] };
}

export interface ModelSignature {
  inputs: ColumnSpec[] | TensorSpec[];
  outputs: TensorSpec[];
}

/** A few rows a caller can send as-is: named columns (DataFrame, split orient) or a tensor batch (nested arrays). */
export type InputExample = { type: 'dataframe'; columns: string[]; data: number[][] } | { type: 'ndarray'; data: unknown[] };

export type ModelFlavor = { kind: 'lightgbm'; lightgbmVersion: string } | { kind: 'tfjs'; backend: string };

export interface MlflowModelSpec {
  runId: string;
  artifactPath: string;
  modelUuid: string;
  createdAt: Date;
  flavor: ModelFlavor;
  signature: ModelSignature;
  example: InputExample;
  /** Bytes of the model's own files (weights, model text), recorded as MLflow does. */
  modelSizeBytes?: number;
}

export const tensorSpec = (shape: readonly number[], dtype: TensorSpec['tensor-spec']['dtype'] = 'float32'): TensorSpec => ({
  type: 'tensor',
  'tensor-spec': { dtype, shape: [...shape] },
});

/** A shape as a signature states it: the batch dimension (null or -1 in tfjs) becomes -1. */
export const batchShape = (shape: readonly (number | null)[]): number[] => shape.map((d) => (d === null || d < 0 ? -1 : d));

function flavors(f: ModelFlavor): Record<string, unknown> {
  if (f.kind === 'tfjs') return { tfjs: { format: 'layers-model', model_json: 'model.json', trained_with: f.backend } };
  return {
    // Same keys as mlflow.lightgbm.save_model for a Booster (model_class selects lgb.Booster(model_file=data) on load).
    lightgbm: { code: null, data: LIGHTGBM_DATA_FILE, lgb_version: f.lightgbmVersion, model_class: 'lightgbm.basic.Booster' },
    python_function: {
      data: LIGHTGBM_DATA_FILE,
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      loader_module: 'mlflow.lightgbm',
      python_version: MODEL_PYTHON_VERSION,
    },
  };
}

/** MLflow's timestamp form: '2026-11-30 23:44:17.956000' (UTC, no zone). */
const mlflowTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '000');

export function mlmodelYaml(m: MlflowModelSpec): string {
  const doc = {
    artifact_path: m.artifactPath,
    flavors: flavors(m.flavor),
    mlflow_version: MLFLOW_VERSION,
    model_size_bytes: m.modelSizeBytes,
    model_uuid: m.modelUuid,
    run_id: m.runId,
    saved_input_example_info: {
      artifact_path: INPUT_EXAMPLE_FILE,
      ...(m.example.type === 'dataframe' ? { pandas_orient: 'split' } : {}),
      serving_input_path: SERVING_INPUT_EXAMPLE_FILE,
      type: m.example.type,
    },
    // MLflow stores each schema as a JSON string inside the YAML.
    signature: { inputs: JSON.stringify(m.signature.inputs), outputs: JSON.stringify(m.signature.outputs), params: null },
    utc_time_created: mlflowTime(m.createdAt),
    generated_by: 'durable-ml',
  };
  if (doc.model_size_bytes === undefined) delete doc.model_size_bytes;
  return YAML.stringify(doc);
}

/** The example as MLflow saves it, and as the scoring server's /invocations accepts it. */
export function inputExampleFiles(example: InputExample): Record<string, string> {
  if (example.type === 'dataframe') {
    const split = { columns: example.columns, data: example.data };
    return { [INPUT_EXAMPLE_FILE]: JSON.stringify(split), [SERVING_INPUT_EXAMPLE_FILE]: JSON.stringify({ dataframe_split: split }, null, 2) };
  }
  return { [INPUT_EXAMPLE_FILE]: JSON.stringify(example.data), [SERVING_INPUT_EXAMPLE_FILE]: JSON.stringify({ inputs: example.data }, null, 2) };
}

/** requirements.txt, python_env.yaml and conda.yaml for a LightGBM model, pinned like the project's .venv. */
export function lightgbmEnvironmentFiles(lightgbmVersion: string): Record<string, string> {
  const requirements = [`mlflow==${MLFLOW_VERSION}`, `lightgbm==${lightgbmVersion}`];
  return {
    'requirements.txt': requirements.join('\n'),
    'python_env.yaml': YAML.stringify({ python: MODEL_PYTHON_VERSION, build_dependencies: ['pip', 'setuptools', 'wheel'], dependencies: ['-r requirements.txt'] }),
    'conda.yaml': YAML.stringify({
      channels: ['conda-forge'],
      dependencies: [`python=${MODEL_PYTHON_VERSION}`, 'pip', { pip: requirements }],
      name: 'mlflow-env',
    }),
  };
}

/** Every metadata file of the model folder (the model's own files are written by whoever trained it). */
export function mlflowModelFiles(m: MlflowModelSpec): Record<string, string> {
  return {
    [MLMODEL_FILE]: mlmodelYaml(m),
    ...inputExampleFiles(m.example),
    ...(m.flavor.kind === 'lightgbm' ? lightgbmEnvironmentFiles(m.flavor.lightgbmVersion) : {}),
  };
}
