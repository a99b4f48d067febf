/** The parts of MLflow's REST entities that durable-ml reads. */
export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface RunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status: RunStatus;
  artifact_uri: string;
  start_time?: number;
  end_time?: number;
  lifecycle_stage?: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface MetricValue {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface Run {
  info: RunInfo;
  data: { metrics?: MetricValue[]; params?: KeyValue[]; tags?: KeyValue[] };
}

export interface ModelVersion {
  name: string;
  version: string;
  source: string;
  run_id?: string;
  status?: string;
  tags?: KeyValue[];
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  aliases?: { alias: string; version: string }[];
  latest_versions?: ModelVersion[];
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}
