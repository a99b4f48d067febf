/** Task queue names. Workflow code cannot read the environment, so the client passes the configured names in the input. */
import type { TaskQueues } from './input-schema';

export type { TaskQueues } from './input-schema';

export const DEFAULT_TASK_QUEUES: TaskQueues = { cpu: 'cpu', gpu: 'gpu' };
