/**
 * Logs the trained model as the run's `model` artifact, then registers it only if the pipeline's gate holds,
 * and moves the `champion` alias only if it beats the current champion. Idempotent: a retry finds the
 * model version its first attempt created instead of creating a second one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { filterValue, MlflowClient } from '../mlflow';
import { readRegularFile } from '../data/paths';
import { createKeyedMutex } from './keyed-mutex';
import { CHAMPION_ALIAS, CHAMPION_VERSION_KEY, championKey } from './champion-model';
import { migrateFormerModelName } from './model-name-migration';
import { championDecision, ChampionStanding, evaluateGate, gateEvidence, gateWithOverrides, MODEL_POLICIES, ModelPolicy } from '../workflows/shared/gates';
import type { PromotionRequest } from '../workflows/shared/promotion';
import type { PipelineName, Registration, RegistrationRequest, TrackingRun, TrainedModel } from '../workflows/shared/types';
import type { ActivityDeps } from './deps';
import { MODEL_ARTIFACT_PATH } from './model-folder';

export { MODEL_ARTIFACT_PATH } from './model-folder';
export { CHAMPION_ALIAS };

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** Uploads the model folder (an MLflow model: trainers write its MLmodel, see model-folder.ts) as the run's `model` artifact. */
export async function uploadModel(mlflow: MlflowClient, run: TrackingRun, model: TrainedModel): Promise<string> {
  for (const file of await listFiles(model.dir)) {
    // Regular files only: a link planted among the model files must not upload what it points at.
    await mlflow.uploadArtifact(run.artifactUri, `${MODEL_ARTIFACT_PATH}/${file}`, await readRegularFile(path.join(model.dir, file)));
  }
  return `${run.artifactUri}/${MODEL_ARTIFACT_PATH}`;
}

async function championMetric(mlflow: MlflowClient, policy: ModelPolicy, runId: string | undefined): Promise<number | undefined> {
  if (!runId) return undefined;
  const run = await mlflow.getRun(runId);
  return run.data.metrics?.find((m) => m.key === policy.championMetric)?.value;
}

export function registryActivities({ mlflow }: ActivityDeps) {
  // Promotion reads the champion, compares, then moves the alias; MLflow has no compare-and-set, so two
  // registrations interleaving those steps (a backfill registers several at once) could crown the worse one.
  // Pipelines promote through the model's champion workflow (src/workflows/champion.ts), one request at a time
  // across all worker processes; this in-process lock covers only runs started before that workflow existed.
  const oneAtATime = createKeyedMutex();
  return {
    async registerModel(req: RegistrationRequest): Promise<Registration> {
      const policy = MODEL_POLICIES[req.pipeline];
      // Published once by the trainer (shared-run-files.ts); only a model trained before that is uploaded here.
      const modelUri = req.model.modelUri ?? (await uploadModel(mlflow, req.run, req.model));
      const evidence = gateEvidence(policy, req.testSize, req.gateOverrides);
      const decision = evaluateGate(gateWithOverrides(policy.gate, req.gateOverrides), req.metrics, evidence);
      await mlflow.logBatch(req.run.runId, {
        tags: { gate: decision.reason, gate_min_test_size: `${evidence.minTestSize} ${evidence.unit}`, gate_test_size: evidence.testSize === undefined ? 'not reported' : `${evidence.testSize} ${evidence.unit}` },
      });
      const base = { modelName: policy.modelName, modelUri };
      if (!decision.passed) return { ...base, registered: false, champion: false, reason: decision.reason };

      // Registries from before the model names changed keep their versions and champion under the new name.
      await migrateFormerModelName(mlflow, policy);
      await mlflow.getOrCreateRegisteredModel(policy.modelName, `durable-ml ${req.pipeline} pipeline`);
      const filter = `name = ${filterValue(policy.modelName)} and run_id = ${filterValue(req.run.runId)}`;
      const [existing] = await mlflow.searchModelVersions(filter, 1);
      const version =
        existing ??
        (await mlflow.createModelVersion(policy.modelName, modelUri, req.run.runId, {
          [policy.championMetric]: String(req.metrics[policy.championMetric]),
        }));

      await mlflow.setTag(req.run.runId, 'registered_version', version.version);
      const registered = `${decision.reason}; registered ${policy.modelName} v${version.version}`;
      // The pipeline promotes through the model's champion workflow (serialised across worker processes).
      if (req.deferPromotion) return { ...base, registered: true, version: version.version, champion: false, reason: registered };
      // Runs started before the champion workflow existed promote here, serialised within this process only.
      const promotion = await oneAtATime(policy.modelName, () => promoteIfBetter(mlflow, req.pipeline, version.version, req.metrics));
      return { ...base, registered: true, version: version.version, champion: promotion.champion, reason: `${registered}; ${promotion.note}` };
    },

    /** Run by the model's champion workflow, one request at a time: read the champion, compare, move the alias. */
    async promoteChampion(req: PromotionRequest): Promise<{ champion: boolean; note: string }> {
      return promoteIfBetter(mlflow, req.pipeline, req.version, req.metrics);
    },

  };
}

/**
 * Reads the champion, compares, moves the alias. The champion's value is its score on the challenger's own test
 * data when evaluation measured the very version that is champion now (another registration may have moved it since);
 * otherwise its own recorded metric, and the note says so.
 */
async function promoteIfBetter(mlflow: MlflowClient, pipeline: PipelineName, version: string, metrics: Record<string, number>): Promise<{ champion: boolean; note: string }> {
  const policy = MODEL_POLICIES[pipeline];
  const current = await mlflow.getVersionByAlias(policy.modelName, CHAMPION_ALIAS);
  if (current?.version === version) return { champion: true, note: 'already champion' };
  const sameData = current !== undefined && String(metrics[CHAMPION_VERSION_KEY]) === current.version;
  const standing: ChampionStanding | undefined = current && {
    version: current.version,
    value: sameData ? metrics[championKey(policy.championMetric)] : await championMetric(mlflow, policy, current.run_id),
    sameData,
  };
  const decision = championDecision(policy, metrics[policy.championMetric], standing);
  if (decision.promote) await mlflow.setAlias(policy.modelName, CHAMPION_ALIAS, version);
  return { champion: decision.promote, note: decision.note };
}
