/** Every workflow type the workers register. Workflow code is bundled: keep imports here deterministic and Node-free. */
export { mnistTraining } from './mnist';
export { cifar10Training } from './cifar10';
export { tickTraining } from './tick';
export { powerTraining } from './power';
export { dataReadySignal, progressQuery } from './shared/pipeline';
export { championWorkflow } from './champion';
