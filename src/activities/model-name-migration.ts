/**
 * One-time migration of registered model names (issue 14 renamed `mnist-cnn` → `mnist-cnn-model` and
 * `cifar10-cnn` → `cifar10-cnn-model`): when the new name does not exist yet and a former one does, the former
 * model is renamed through MLflow's REST API, so its versions, their history and the `champion` alias carry over
 * instead of a second, empty model starting next to them. Idempotent: once the new name exists it does nothing.
 */
import { MlflowError, type MlflowClient } from '../mlflow';
import type { ModelPolicy } from '../pipelines';

export type MigrationOutcome = { renamedFrom: string } | { renamedFrom?: undefined };

export async function migrateFormerModelName(mlflow: MlflowClient, policy: Pick<ModelPolicy, 'modelName' | 'formerModelNames'>): Promise<MigrationOutcome> {
  if (policy.formerModelNames.length === 0 || (await mlflow.getRegisteredModel(policy.modelName))) return {};
  for (const former of policy.formerModelNames) {
    if (!(await mlflow.getRegisteredModel(former))) continue;
    try {
      await mlflow.renameRegisteredModel(former, policy.modelName);
      return { renamedFrom: former };
    } catch (err) {
      // A concurrent registration renamed it (or created the new name) first: the migration is done either way.
      // MLflow reports that race in more than one way (RESOURCE_ALREADY_EXISTS, RESOURCE_DOES_NOT_EXIST, or a
      // BAD_REQUEST from the store's stale UPDATE), so the server's state decides, not the error code.
      if (err instanceof MlflowError && (await mlflow.getRegisteredModel(policy.modelName))) return {};
      throw err;
    }
  }
  return {};
}
