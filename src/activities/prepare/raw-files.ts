/** Locating raw input: files the user put under the data root, or a synthetic set generated there once. */
import { rawDir } from '../../data/layout';
import { DataError } from '../../data/errors';
import { folderOnce } from '../../data/once';
import type { DataRoot } from '../../data/paths';
import type { DataSource, DataWindow, PipelineName } from '../../workflows/shared/types';

export const SYNTHETIC_SIZES = ['tiny', 'small'] as const;
export type SyntheticSize = (typeof SYNTHETIC_SIZES)[number];

/**
 * The synthetic set an input asks for. Seed and size become part of folder names, so they are checked here
 * whatever reached the activity: the size from its list, the seed a safe non-negative integer.
 */
export function syntheticSet(pipeline: PipelineName, source: Extract<DataSource, { kind: 'synthetic' }>): { name: string; size: SyntheticSize; seed: number } {
  const size = (source.size ?? 'tiny') as unknown;
  const seed = (source.seed ?? 1) as unknown;
  if (!SYNTHETIC_SIZES.includes(size as SyntheticSize)) {
    throw new DataError(`synthetic size ${JSON.stringify(size)} is not one of ${SYNTHETIC_SIZES.join(', ')}`, 'input.source.size');
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new DataError(`synthetic seed ${JSON.stringify(seed)} is not a non-negative integer`, 'input.source.seed');
  }
  const dataset = pipeline === 'tick' ? 'ticks' : pipeline;
  // A planted signal makes other data: its strength is part of the name, so sets with and without it never mix.
  const momentum = source.momentum ? `-momentum${source.momentum}` : '';
  return { name: `synthetic-${dataset}-${size}-seed${seed}${momentum}`, size: size as SyntheticSize, seed };
}

/** `<data root>/raw/<dataset>`, generated once by `write` (see folderOnce: a half-written set is never used). */
export async function syntheticSetOnce(root: DataRoot, dataset: string, write: (dir: string) => Promise<void>): Promise<string> {
  return (await folderOnce(root, rawDir(dataset), write)).dir;
}

/** Files with one of the given extensions in a folder under the data root (`dir` from the input, or the default). */
export async function rawFilesIn(root: DataRoot, dir: string, extensions: string | string[], what: string): Promise<string[]> {
  const wanted = [extensions].flat();
  const files = await root.list(dir, wanted);
  if (files.length === 0) throw new DataError(`no ${what} (${wanted.map((e) => `*${e}`).join(', ')}) found`, await root.resolve(dir));
  return files;
}

/** The `dir` of a files source: text, checked by the DataRoot when used. */
export function sourceDir(source: DataSource | undefined, fallback: string): string {
  const dir = source?.kind === 'files' ? (source.dir as unknown) : undefined;
  if (dir === undefined) return fallback;
  if (typeof dir !== 'string') throw new DataError(`source.dir must be a path under the data root, got ${JSON.stringify(dir)}`, 'input.source.dir');
  return dir;
}

/** The input's data window in epoch ms; a missing window means all data. */
export function windowMs(window?: DataWindow): { start: number; end: number } | undefined {
  if (!window) return undefined;
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    throw new DataError(`invalid window ${JSON.stringify(window)}: start and end must be ISO instants with start < end`, 'input.window');
  }
  return { start, end };
}
