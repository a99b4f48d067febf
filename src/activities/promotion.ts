/**
 * The pipeline's side of champion promotion: hands the request to the model's champion workflow (starting it if it
 * is not running). Needs only the activity's own Temporal client, so it has no injected dependencies.
 */
import { Context } from '@temporalio/activity';
import { championWorkflow } from '../workflows/champion';
import { championWorkflowId, promoteSignal, type PromotionRequest } from '../workflows/shared/promotion';

export function promotionActivities() {
  return {
    async requestPromotion(req: PromotionRequest): Promise<void> {
      const { client, info } = Context.current();
      await client.workflow.signalWithStart(championWorkflow, {
        workflowId: championWorkflowId(req.modelName, info.taskQueue),
        taskQueue: info.taskQueue,
        args: [{ modelName: req.modelName }],
        signal: promoteSignal,
        signalArgs: [req],
      });
    },
  };
}
