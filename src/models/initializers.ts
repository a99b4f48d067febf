/**
 * Seeded weight initialisers: layer i's kernel is drawn from seedFor(run seed, 'kernel', i), so the same seed
 * builds the same starting weights on a given backend, independent of anything else drawn before.
 * Without a seed each kind falls back to its plain tfjs identifier (unseeded).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './backend';
import { seedFor } from './training/seeding';

export type KernelKind = 'glorotUniform' | 'heUniform' | 'orthogonal';

type Initializer = ReturnType<typeof tfType.initializers.glorotUniform>;

export function kernelInitializers(tf: Tf, seed?: number): (kind?: KernelKind) => KernelKind | Initializer {
  let index = 0;
  return (kind = 'glorotUniform') => {
    const layerSeed = seed === undefined ? undefined : seedFor(seed, 'kernel', index++);
    if (layerSeed === undefined) return kind;
    if (kind === 'heUniform') return tf.initializers.heUniform({ seed: layerSeed });
    if (kind === 'orthogonal') return tf.initializers.orthogonal({ seed: layerSeed });
    return tf.initializers.glorotUniform({ seed: layerSeed });
  };
}
