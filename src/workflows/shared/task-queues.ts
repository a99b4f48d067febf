/** Task queue names. Workflow code cannot read the environment, so the client passes the configured names in the input. */
export interface TaskQueues {
  cpu: string;
  gpu: string;
}

export const DEFAULT_TASK_QUEUES: TaskQueues = { cpu: 'cpu', gpu: 'gpu' };
