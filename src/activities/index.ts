/**
 * All activities, built from injected dependencies. Workflows import only the *type* of this object;
 * workers create it with real dependencies; tests can build it against the real servers and wrap pieces.
 */
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { trackingActivities } from './tracking';
import { registryActivities } from './registry';
import { partitionActivities } from './partitions';
import { visionPrepareActivities } from './prepare/vision';
import { tickPrepareActivities } from './prepare/ticks';
import { powerPrepareActivities } from './prepare/power';
import { tfjsTrainer } from './train-tfjs';
import { powerTrainingActivities } from './train-power';
import { classifierEvaluation } from './evaluate-classifier';
import { tickEvaluation } from './evaluate-tick';
import { powerEvaluation } from './evaluate-power';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps) {
  return withFailureMapping({
    ...trackingActivities(deps),
    ...registryActivities(deps),
    ...partitionActivities(),
    ...visionPrepareActivities(deps),
    ...tickPrepareActivities(deps),
    ...powerPrepareActivities(deps),
    trainMnistModel: tfjsTrainer(deps, 'mnist'),
    trainCifar10Model: tfjsTrainer(deps, 'cifar10'),
    trainTickModel: tfjsTrainer(deps, 'tick'),
    ...powerTrainingActivities(deps),
    ...classifierEvaluation(deps),
    ...tickEvaluation(deps),
    ...powerEvaluation(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
