/**
 * Everything random in a training derives from the run's seed and a position, never from the clock or call
 * order: weight initialisers, each epoch's shuffle order, and each batch's dropout masks. A training resumed at
 * (epoch, batch) therefore sees exactly what the uninterrupted one would have.
 */
import { createRng } from '../../data/random';
import { seededShuffleIndices } from '../../data/split';

/** A non-zero 32-bit seed for one purpose and position (tfjs treats seed 0 as "unseeded"). */
export function seedFor(seed: number, ...parts: (string | number)[]): number {
  // FNV-1a over the parts' text: stable, cheap, and different purposes never collide by construction order.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of [seed, ...parts].join('/')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h === 0 ? 1 : h;
}

/** The order in which an epoch visits the training examples. */
export function shuffledOrder(n: number, seed: number): Int32Array {
  return Int32Array.from(seededShuffleIndices(n, seed));
}

/**
 * tfjs draws dropout masks (and the initialisers that take no seed, e.g. Orthogonal) from Math.random; a seeded
 * dropout layer would reuse one mask for every batch. Reseeding Math.random per batch keeps masks varied but
 * reproducible. Only called inside the training worker thread, whose globals belong to nobody else.
 */
export function seedMathRandom(seed: number): void {
  Math.random = createRng(seed).next;
}
