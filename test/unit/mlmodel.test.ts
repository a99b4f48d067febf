/** The MLflow model files written from TypeScript: MLflow's own layout and keys, versions pinned as the project installs them. */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/config';
import { batchShape, MLFLOW_VERSION, mlflowModelFiles, MlflowModelSpec, tensorSpec } from '../../src/mlflow';

const base = { runId: 'r1', artifactPath: 'model', modelUuid: 'u1', createdAt: new Date('2026-11-30T23:44:17.956Z') };

const lightgbm: MlflowModelSpec = {
  ...base,
  flavor: { kind: 'lightgbm', lightgbmVersion: '4.7.0' },
  signature: { inputs: [{ type: 'double', name: 'lag_1', required: true }, { type: 'double', name: 'hour', required: true }], outputs: [tensorSpec([-1], 'float64')] },
  example: { type: 'dataframe', columns: ['lag_1', 'hour'], data: [[0.5, 3], [1.25, 4]] },
  modelSizeBytes: 6078,
};

describe('MLflow model files', () => {
  it('a LightGBM model gets the lightgbm and python_function flavors as mlflow.lightgbm.save_model writes them', () => {
    const files = mlflowModelFiles(lightgbm);
    expect(Object.keys(files).sort()).toEqual(['MLmodel', 'conda.yaml', 'input_example.json', 'python_env.yaml', 'requirements.txt', 'serving_input_example.json']);
    const m = YAML.parse(files.MLmodel);
    expect(m.flavors).toEqual({
      lightgbm: { code: null, data: 'model.lgb', lgb_version: '4.7.0', model_class: 'lightgbm.basic.Booster' },
      python_function: { data: 'model.lgb', env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' }, loader_module: 'mlflow.lightgbm', python_version: '3.11' },
    });
    expect(m).toMatchObject({ artifact_path: 'model', run_id: 'r1', model_uuid: 'u1', mlflow_version: MLFLOW_VERSION, model_size_bytes: 6078, utc_time_created: '2026-11-30 23:44:17.956000' });
    expect(m.saved_input_example_info).toEqual({ artifact_path: 'input_example.json', pandas_orient: 'split', serving_input_path: 'serving_input_example.json', type: 'dataframe' });
    // Schemas are JSON strings inside the YAML, as MLflow stores them.
    expect(JSON.parse(m.signature.inputs)).toEqual(lightgbm.signature.inputs);
    expect(JSON.parse(m.signature.outputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [-1] } }]);
    expect(JSON.parse(files['input_example.json'])).toEqual({ columns: ['lag_1', 'hour'], data: [[0.5, 3], [1.25, 4]] });
    expect(JSON.parse(files['serving_input_example.json'])).toEqual({ dataframe_split: { columns: ['lag_1', 'hour'], data: [[0.5, 3], [1.25, 4]] } });
    expect(files['requirements.txt']).toBe(`mlflow==${MLFLOW_VERSION}\nlightgbm==4.7.0`);
    expect(YAML.parse(files['python_env.yaml'])).toEqual({ python: '3.11', build_dependencies: ['pip', 'setuptools', 'wheel'], dependencies: ['-r requirements.txt'] });
    expect(YAML.parse(files['conda.yaml']).dependencies).toEqual(['python=3.11', 'pip', { pip: [`mlflow==${MLFLOW_VERSION}`, 'lightgbm==4.7.0'] }]);
  });

  it('a tfjs model gets a tensor signature and an ndarray example, and no Python environment', () => {
    const files = mlflowModelFiles({
      ...base,
      flavor: { kind: 'tfjs', backend: 'tensorflow' },
      signature: { inputs: [tensorSpec(batchShape([null, 28, 28, 1]))], outputs: [tensorSpec(batchShape([null, 10]))] },
      example: { type: 'ndarray', data: [[[[0], [1]]]] },
    });
    expect(Object.keys(files).sort()).toEqual(['MLmodel', 'input_example.json', 'serving_input_example.json']);
    const m = YAML.parse(files.MLmodel);
    expect(Object.keys(m.flavors)).toEqual(['tfjs']);
    expect(JSON.parse(m.signature.inputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 28, 28, 1] } }]);
    expect(JSON.parse(m.signature.outputs)).toEqual([{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 10] } }]);
    expect(m.saved_input_example_info).toEqual({ artifact_path: 'input_example.json', serving_input_path: 'serving_input_example.json', type: 'ndarray' });
    expect(JSON.parse(files['serving_input_example.json'])).toEqual({ inputs: [[[[0], [1]]]] });
    expect(m.model_size_bytes).toBeUndefined();
  });

  it('pins the MLflow version scripts/versions.sh installs', () => {
    const versions = fs.readFileSync(path.join(PROJECT_ROOT, 'scripts', 'versions.sh'), 'utf8');
    expect(versions).toContain(`"mlflow==${MLFLOW_VERSION}"`);
  });
});
