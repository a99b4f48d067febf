/**
 * All activities, built from injected dependencies. Workflows import only the *type* of this object;
 * workers create it with real dependencies; tests can build it against the real servers and wrap pieces.
 */
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { trackingActivities } from './tracking';
import { registryActivities } from './registry';
import { promotionActivities } from './promotion';
import { partitionActivities } from './partitions';
import { partitionDataActivities } from './partition-data';
import { visionPrepareActivities } from './prepare/vision';
import { tickPrepareActivities } from './prepare/ticks';
import { powerPrepareActivities } from './prepare/power';
import { tfjsTrainer } from './train-tfjs';
import { powerTrainingActivities } from './train-power';
import { classifierEvaluation } from './evaluate-classifier';
import { tickEvaluation } from './evaluate-tick';
import { powerEvaluation } from './evaluate-power';

import type { QueueKind } from '../pipelines';

export type { ActivityDeps } from './deps';

/** Activities of the CPU queue: MLflow bookkeeping, registration, data preparation, LightGBM, evaluation. */
export function createCpuActivities(deps: ActivityDeps) {
  return withFailureMapping({
    ...trackingActivities(deps),
    ...registryActivities(deps),
    ...promotionActivities(),
    ...partitionActivities(),
    ...partitionDataActivities(deps),
    ...visionPrepareActivities(deps),
    ...tickPrepareActivities(deps),
    ...powerPrepareActivities(deps),
    ...powerTrainingActivities(deps),
    ...classifierEvaluation(deps),
    ...tickEvaluation(deps),
    ...powerEvaluation(deps),
  });
}

/** Activities of the GPU queue: the tfjs trainings. */
export function createGpuActivities(deps: ActivityDeps) {
  return withFailureMapping({
    trainMnistModel: tfjsTrainer(deps, 'mnist'),
    trainCifar10Model: tfjsTrainer(deps, 'cifar10'),
    trainTickModel: tfjsTrainer(deps, 'tick'),
  });
}

export type CpuActivities = ReturnType<typeof createCpuActivities>;
export type GpuActivities = ReturnType<typeof createGpuActivities>;
/** The activities a queue's worker registers and a proxy on that queue may call: a misrouting does not compile. */
export interface ActivitiesByQueue {
  cpu: CpuActivities;
  gpu: GpuActivities;
}

/** Both sets in one object (tests wrap single activities of it); `forQueue` splits it again for the workers. */
export function createActivities(deps: ActivityDeps): Activities {
  return { ...createCpuActivities(deps), ...createGpuActivities(deps) };
}

export type Activities = CpuActivities & GpuActivities;

const GPU_ACTIVITY_NAMES = ['trainMnistModel', 'trainCifar10Model', 'trainTickModel'] as const satisfies readonly (keyof GpuActivities)[];

/** The part of `all` a queue's worker registers: an activity sent to the wrong queue fails loudly as unregistered. */
export function forQueue<Q extends QueueKind>(all: Activities, queue: Q): ActivitiesByQueue[Q] {
  const onGpu = (name: string) => (GPU_ACTIVITY_NAMES as readonly string[]).includes(name);
  return Object.fromEntries(Object.entries(all).filter(([name]) => onGpu(name) === (queue === 'gpu'))) as unknown as ActivitiesByQueue[Q];
}
