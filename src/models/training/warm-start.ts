/**
 * Warm start: a fine-tuning run begins from an earlier model's weights (the champion's) instead of fresh ones. The
 * model trained is still the one this run's params describe (built and compiled as usual); it only takes the earlier
 * model's weights, which must have the same shapes: another sequence length, feature count, cell or size would
 * fail somewhere less clear, so it is refused here, naming the first weight that differs.
 */
import type * as tfType from '@tensorflow/tfjs';
import { NonRetryableError } from '../../errors';

export class WarmStartError extends NonRetryableError {
  name = 'WarmStartError';
}

/** Copies `source`'s weights into `model` (built from this run's params); `from` names the source in errors. */
export function warmStart(model: tfType.LayersModel, source: tfType.LayersModel, from: string): void {
  const want = model.weights.map((w) => ({ name: w.name, shape: w.shape }));
  const have = source.weights.map((w) => w.shape);
  const differs = want.findIndex((w, i) => !have[i] || have[i].join('x') !== w.shape.join('x'));
  if (want.length !== have.length || differs >= 0) {
    const at = differs >= 0 ? differs : Math.min(want.length, have.length);
    throw new WarmStartError(
      `cannot warm-start from ${from}: its weights do not fit this run's model (${have.length} vs ${want.length} weight tensors; ` +
        `#${at} ${want[at]?.name ?? '(none)'} is [${want[at]?.shape.join(', ') ?? ''}] here, [${have[at]?.join(', ') ?? ''}] there). ` +
        'sequenceLength, the features, cell or units changed since that model was trained: train without warmStart, or with the same params',
    );
  }
  model.setWeights(source.getWeights());
}
