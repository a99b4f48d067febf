/**
 * The champion of one registered model: promotion requests (signals) are handled one at a time, each by the
 * `promoteChampion` activity (read the champion, compare, move the alias), so concurrent registrations from any
 * number of worker processes cannot interleave those steps. The outcome is signalled back to the requester.
 */
import { condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { CpuActivities } from '../activities';
import { REGISTER } from './shared/activity-options';
import { PromotionRequest, promoteSignal, promotionOutcomeSignal } from './shared/promotion';

export interface ChampionInput {
  modelName: string;
  /** Requests received but not yet handled by the previous run (carried over by continue-as-new). */
  pending?: PromotionRequest[];
  /** Requests per run before continue-as-new keeps the history short. */
  requestsPerRun?: number;
  /** The workflow ends after this long without requests; the next request starts it again. */
  idleTimeout?: Duration;
}

export async function championWorkflow(input: ChampionInput): Promise<void> {
  const { promoteChampion } = proxyActivities<CpuActivities>({ ...REGISTER, taskQueue: workflowInfo().taskQueue });
  const pending: PromotionRequest[] = [...(input.pending ?? [])];
  setHandler(promoteSignal, (req) => {
    pending.push(req);
  });
  const requestsPerRun = input.requestsPerRun ?? 200;
  for (let handled = 0; handled < requestsPerRun && !workflowInfo().continueAsNewSuggested; handled++) {
    // Ending while a request is in flight is safe: the server refuses to complete a workflow with unhandled
    // signals, and the new workflow task sees them in `pending`.
    if (!(await condition(() => pending.length > 0, input.idleTimeout ?? '1 hour'))) return;
    const req = pending.shift()!;
    const outcome = await promoteChampion(req);
    // The requester may be gone (cancelled, terminated): its outcome is in MLflow either way.
    await getExternalWorkflowHandle(req.requester.workflowId, req.requester.runId)
      .signal(promotionOutcomeSignal, { version: req.version, ...outcome })
      .catch(() => undefined);
  }
  await continueAsNew<typeof championWorkflow>({ ...input, pending });
}
