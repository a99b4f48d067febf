/**
 * The `MLmodel` file that makes an uploaded folder an MLflow model. LightGBM models use the flavor layout of
 * `mlflow.lightgbm` so Python users can load them; tfjs models get a `tfjs` flavor describing the files.
 */
export interface MlmodelInput {
  runId: string;
  artifactPath: string;
  format: 'tfjs-layers' | 'lightgbm';
  backend: string;
  createdAt: Date;
  modelUuid: string;
  lightgbmVersion?: string;
}

export function mlmodelYaml(m: MlmodelInput): string {
  const flavor =
    m.format === 'lightgbm'
      ? ['  lightgbm:', `    lgb_version: ${m.lightgbmVersion ?? 'unknown'}`, '    data: model.lgb', '    model_class: lightgbm.basic.Booster', '    code: null']
      : ['  tfjs:', '    format: layers-model', '    model_json: model.json', `    trained_with: ${m.backend}`];
  return [
    `artifact_path: ${m.artifactPath}`,
    'flavors:',
    ...flavor,
    `model_uuid: ${m.modelUuid}`,
    `run_id: ${m.runId}`,
    `utc_time_created: '${m.createdAt.toISOString().replace('T', ' ').replace('Z', '')}'`,
    'generated_by: durable-ml',
    '',
  ].join('\n');
}
