/**
 * Builds the workers. The CPU worker hosts the workflows and every CPU-stage activity; the GPU worker
 * polls only the `gpu` queue, with few concurrent activities (one training per GPU by default).
 */
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { AppConfig, processSettings } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import { createActivities, forQueue, type Activities } from '../activities';
import { activityDepsFrom } from '../activities/deps';
import { createComputePool, type ComputePool } from '../compute';
import { MlflowClient } from '../mlflow';
import { describeBackend, loadTfBackend } from '../models/backend';
import { logger } from './logging';

export type WorkerRole = 'cpu' | 'gpu';

export function mlflowClientFrom(config: AppConfig): MlflowClient {
  return new MlflowClient(config.mlflow);
}

/** Prebuilt workflow bundle (DML_WORKFLOW_BUNDLE) saves webpack time at start; otherwise bundle from source. */
function workflowSource(): Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> {
  const bundle = processSettings.workflowBundle();
  return bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../workflows') };
}

export interface CreateWorkersOptions {
  roles: WorkerRole[];
  config: AppConfig;
  /** Tests may pass activities built from other dependencies (e.g. with injected faults). */
  activities?: Activities;
  connection?: NativeConnection;
}

export async function createWorkers(opts: CreateWorkersOptions): Promise<{ workers: Worker[]; connection: NativeConnection; compute: ComputePool }> {
  const { config } = opts;
  const connection = opts.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config.temporal)));
  const compute = createComputePool(config.computeThreads);
  const activities = opts.activities ?? createActivities(activityDepsFrom(config, mlflowClientFrom(config), compute));
  const workers: Worker[] = [];
  // Both roles run tfjs (training on gpu, inference for evaluation on cpu): report which backend loaded.
  const tfjsBackend = describeBackend(await loadTfBackend());
  for (const role of opts.roles) {
    const common = {
      connection,
      namespace: config.temporal.namespace,
      activities: forQueue(activities, role),
      // Progress (epoch, loss) reaches the server, the UI and `durable-ml start` every 2 s, rather than only
      // at 80% of the heartbeat timeout.
      maxHeartbeatThrottleInterval: '2 seconds' as const,
    };
    if (role === 'cpu') {
      workers.push(
        await Worker.create({
          ...common,
          ...workflowSource(),
          taskQueue: config.taskQueues.cpu,
          maxConcurrentActivityTaskExecutions: config.cpuActivityConcurrency,
          // Short CPU activities (MLflow calls, evaluation) get a moment to finish on SIGTERM.
          shutdownGraceTime: '10 seconds',
        }),
      );
      logger.info('worker ready', {
        role,
        taskQueue: config.taskQueues.cpu,
        polls: ['workflows', 'activities'],
        maxConcurrentActivities: config.cpuActivityConcurrency,
        tfjsBackend,
      });
    } else {
      workers.push(
        await Worker.create({
          ...common,
          taskQueue: config.taskQueues.gpu,
          maxConcurrentActivityTaskExecutions: config.gpuTrainingConcurrency,
          // Training is cancelled at once on SIGTERM: its epoch checkpoint is on disk, and the retry resumes
          // on another worker right away instead of this one training on for a grace period.
          shutdownGraceTime: 0,
        }),
      );
      logger.info('worker ready', {
        role,
        taskQueue: config.taskQueues.gpu,
        polls: ['activities'],
        maxConcurrentTrainings: config.gpuTrainingConcurrency,
        tfjsBackend,
      });
    }
  }
  return { workers, connection, compute };
}
