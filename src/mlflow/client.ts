/**
 * A small typed client for MLflow's REST API (tracking, artifacts through the server's proxy, registry).
 * It covers what the pipelines' activities need; every failure surfaces as an MlflowError with MLflow's error_code.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { AxiosInstance } from 'axios';
import { toMlflowError, MlflowError } from './errors';
import type { Experiment, FileInfo, KeyValue, MetricValue, ModelVersion, RegisteredModel, Run, RunStatus } from './types';
import { chunkLogBatch } from './batch';

export interface MlflowClientOptions {
  trackingUri: string;
  username?: string;
  password?: string;
  token?: string;
  timeoutMs?: number;
}

const API = '/api/2.0/mlflow';
const ARTIFACTS_API = '/api/2.0/mlflow-artifacts/artifacts';

export class MlflowClient {
  private readonly http: AxiosInstance;

  constructor(readonly options: MlflowClientOptions) {
    const headers: Record<string, string> = {};
    // Credentials come from the environment (see config) and stay inside this client.
    if (options.username && options.password) {
      headers.Authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    } else if (options.token) {
      headers.Authorization = `Bearer ${options.token}`;
    }
    this.http = axios.create({
      baseURL: options.trackingUri.replace(/\/+$/, ''),
      timeout: options.timeoutMs ?? 30_000,
      headers,
      // No keep-alive: MLflow's server closes idle sockets after a few seconds, and reusing one at that
      // moment fails with ECONNRESET after the request may have been processed.
      httpAgent: new http.Agent({ keepAlive: false }),
      httpsAgent: new https.Agent({ keepAlive: false }),
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });
  }

  get trackingUri(): string {
    return this.options.trackingUri.replace(/\/+$/, '');
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', endpoint: string, body?: object): Promise<T> {
    try {
      const res = await this.http.request<T>({
        method,
        url: `${API}/${endpoint}`,
        ...(method === 'GET' ? { params: body } : { data: body ?? {} }),
      });
      return res.data;
    } catch (err) {
      throw toMlflowError(err, endpoint);
    }
  }

  // ---- experiments ----

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const res = await this.call<{ experiment: Experiment }>('GET', 'experiments/get-by-name', { experiment_name: name });
      return res.experiment;
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  /** Idempotent: two callers racing to create the same experiment both get its id. */
  async getOrCreateExperiment(name: string, tags: Record<string, string> = {}): Promise<string> {
    const existing = await this.getExperimentByName(name);
    if (existing) return existing.experiment_id;
    try {
      const res = await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags: toKeyValues(tags) });
      return res.experiment_id;
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const raced = await this.getExperimentByName(name);
        if (raced) return raced.experiment_id;
      }
      throw err;
    }
  }

  // ---- runs ----

  async createRun(experimentId: string, runName: string, tags: Record<string, string> = {}): Promise<Run> {
    const res = await this.call<{ run: Run }>('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: Date.now(),
      tags: toKeyValues(tags),
    });
    return res.run;
  }

  /** Moves a run to MLflow's deleted state (kept, restorable, hidden from searches and the UI's default view). */
  async deleteRun(runId: string): Promise<void> {
    await this.call('POST', 'runs/delete', { run_id: runId });
  }

  async getRun(runId: string): Promise<Run> {
    const res = await this.call<{ run: Run }>('GET', 'runs/get', { run_id: runId });
    return res.run;
  }

  async searchRuns(experimentIds: string[], filter: string, maxResults = 100): Promise<Run[]> {
    const res = await this.call<{ runs?: Run[] }>('POST', 'runs/search', {
      experiment_ids: experimentIds,
      filter,
      max_results: maxResults,
    });
    return res.runs ?? [];
  }

  async setTerminated(runId: string, status: RunStatus = 'FINISHED'): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, end_time: Date.now() });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'runs/set-tag', { run_id: runId, key, value });
  }

  /** Logs any number of params / metrics / tags, split into requests within MLflow's log-batch limits. */
  async logBatch(
    runId: string,
    batch: { params?: Record<string, string | number | boolean>; metrics?: MetricValue[]; tags?: Record<string, string> },
  ): Promise<void> {
    for (const request of chunkLogBatch({
      params: toKeyValues(batch.params ?? {}),
      metrics: batch.metrics ?? [],
      tags: toKeyValues(batch.tags ?? {}),
    })) {
      await this.call('POST', 'runs/log-batch', { run_id: runId, ...request });
    }
  }

  async logMetrics(runId: string, metrics: Record<string, number>, step = 0, timestamp = Date.now()): Promise<void> {
    await this.logBatch(runId, {
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step, timestamp })),
    });
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricValue[]> {
    const res = await this.call<{ metrics?: MetricValue[] }>('GET', 'metrics/get-history', { run_id: runId, metric_key: key });
    return res.metrics ?? [];
  }

  // ---- artifacts (through the tracking server's proxy) ----

  /** Maps a run's `mlflow-artifacts:/...` artifact URI plus a relative path to the proxy's URL path. */
  artifactProxyPath(artifactUri: string, relativePath: string): string {
    const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(artifactUri);
    if (!match) {
      throw new MlflowError(
        `artifact URI '${artifactUri}' is not served by the tracking server; start mlflow with --serve-artifacts and without --default-artifact-root`,
        'UNSUPPORTED_ARTIFACT_URI',
        undefined,
        'artifacts',
      );
    }
    const parts = [...match[1].split('/'), ...relativePath.split('/')].filter((p) => p.length > 0);
    if (parts.some((p) => p === '..' || p === '.')) {
      throw new MlflowError(`artifact path '${relativePath}' must stay inside the run`, 'INVALID_PARAMETER_VALUE', undefined, 'artifacts');
    }
    return `${ARTIFACTS_API}/${parts.map(encodeURIComponent).join('/')}`;
  }

  async uploadArtifact(artifactUri: string, relativePath: string, content: Buffer | string): Promise<void> {
    const url = this.artifactProxyPath(artifactUri, relativePath);
    try {
      await this.http.put(url, content, { headers: { 'Content-Type': 'application/octet-stream' } });
    } catch (err) {
      throw toMlflowError(err, `artifacts/${relativePath}`);
    }
  }

  async downloadArtifact(artifactUri: string, relativePath: string): Promise<Buffer> {
    const url = this.artifactProxyPath(artifactUri, relativePath);
    try {
      const res = await this.http.get<ArrayBuffer>(url, { responseType: 'arraybuffer' });
      return Buffer.from(res.data);
    } catch (err) {
      throw toMlflowError(err, `artifacts/${relativePath}`);
    }
  }

  /** Deletes a file or folder through the proxy (the server must serve artifacts; a missing path is not an error). */
  async deleteArtifact(artifactUri: string, relativePath: string): Promise<void> {
    const url = this.artifactProxyPath(artifactUri, relativePath);
    try {
      await this.http.delete(url);
    } catch (err) {
      throw toMlflowError(err, `artifacts/${relativePath}`);
    }
  }

  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const res = await this.call<{ files?: FileInfo[] }>('GET', 'artifacts/list', { run_id: runId, ...(path ? { path } : {}) });
    return res.files ?? [];
  }

  // ---- model registry ----

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    try {
      const res = await this.call<{ registered_model: RegisteredModel }>('GET', 'registered-models/get', { name });
      return res.registered_model;
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  async getOrCreateRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    const existing = await this.getRegisteredModel(name);
    if (existing) return existing;
    try {
      const res = await this.call<{ registered_model: RegisteredModel }>('POST', 'registered-models/create', { name, description });
      return res.registered_model;
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const raced = await this.getRegisteredModel(name);
        if (raced) return raced;
      }
      throw err;
    }
  }

  /** Renames a registered model; its versions and aliases move with it. */
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const res = await this.call<{ registered_model: RegisteredModel }>('POST', 'registered-models/rename', { name, new_name: newName });
    return res.registered_model;
  }

  async createModelVersion(name: string, source: string, runId: string, tags: Record<string, string> = {}): Promise<ModelVersion> {
    const res = await this.call<{ model_version: ModelVersion }>('POST', 'model-versions/create', {
      name,
      source,
      run_id: runId,
      tags: toKeyValues(tags),
    });
    return res.model_version;
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const res = await this.call<{ model_version: ModelVersion }>('GET', 'model-versions/get', { name, version });
    return res.model_version;
  }

  async searchModelVersions(filter: string, maxResults = 200): Promise<ModelVersion[]> {
    const res = await this.call<{ model_versions?: ModelVersion[] }>('GET', 'model-versions/search', {
      filter,
      max_results: maxResults,
    });
    return res.model_versions ?? [];
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name, alias, version });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      const res = await this.call<{ model_version: ModelVersion }>('GET', 'registered-models/alias', { name, alias });
      return res.model_version;
    } catch (err) {
      // A missing model or a missing alias both mean: no champion yet.
      if (err instanceof MlflowError && (err.errorCode === 'RESOURCE_DOES_NOT_EXIST' || err.errorCode === 'INVALID_PARAMETER_VALUE')) {
        return undefined;
      }
      throw err;
    }
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { name, alias });
  }
}

export function toKeyValues(record: Record<string, string | number | boolean>): KeyValue[] {
  return Object.entries(record).map(([key, value]) => ({ key, value: String(value) }));
}

/** Quotes a value for MLflow's search filter syntax. */
export function filterValue(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}
