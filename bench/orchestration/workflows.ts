/** A four-stage pipeline of no-op activities: what remains is Temporal's own orchestration cost. */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { prepare, train, evaluate, register } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

export async function noopPipeline(): Promise<string> {
  const prepared = await prepare('ref');
  const model = await train(prepared);
  const metrics = await evaluate(model);
  return register(metrics);
}
