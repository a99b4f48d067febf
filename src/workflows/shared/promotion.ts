/**
 * Champion promotion across worker processes: every promotion of a registered model goes through one long-lived
 * workflow per model (`championWorkflowId`), which handles the requests one at a time. MLflow has no
 * compare-and-set on aliases, so two CPU workers promoting at once could otherwise crown the worse version.
 *
 * A pipeline sends its request with signal-with-start (through the `requestPromotion` activity: workflows cannot
 * signal-with-start) and waits, without holding an activity slot, for the outcome signalled back.
 */
import { condition, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PipelineName } from './types';

export interface PromotionRequest {
  pipeline: PipelineName;
  modelName: string;
  version: string;
  /** MLflow run of the candidate version. */
  runId: string;
  /** The candidate's evaluation metrics (the policy's champion metric among them). */
  metrics: Record<string, number>;
  /** Where the outcome goes: the requesting pipeline run. */
  requester: { workflowId: string; runId: string };
}

export interface PromotionOutcome {
  version: string;
  champion: boolean;
  note: string;
}

export const promoteSignal = defineSignal<[PromotionRequest]>('promote');
export const promotionOutcomeSignal = defineSignal<[PromotionOutcome]>('promotionOutcome');

/**
 * One serializer per model and CPU task queue: the queue is part of the id so that deployments (and tests) on
 * their own queues never send requests to a workflow that only another deployment's workers poll.
 */
export function championWorkflowId(modelName: string, cpuQueue: string): string {
  return `champion-${modelName}@${cpuQueue}`;
}

export type RequestPromotion = (req: PromotionRequest) => Promise<void>;

/** Pipeline side: send the request, then wait for its outcome (a duplicate outcome after an activity retry is ignored). */
export async function promoteThroughChampionWorkflow(requestPromotion: RequestPromotion, req: Omit<PromotionRequest, 'requester'>): Promise<PromotionOutcome> {
  let outcome: PromotionOutcome | undefined;
  setHandler(promotionOutcomeSignal, (o) => {
    if (o.version === req.version) outcome ??= o;
  });
  const { workflowId, runId } = workflowInfo();
  await requestPromotion({ ...req, requester: { workflowId, runId } });
  await condition(() => outcome !== undefined);
  return outcome!;
}
