/** Locating raw input: files the user put under the data root, or a synthetic set generated there once. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../../data/errors';
import { resolveInDataRoot } from '../../data/paths';
import type { DataWindow } from '../../workflows/shared/types';

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/** Generates `<data root>/raw/<dataset>/<fileName>` unless present; written under a temporary name, then renamed. */
export async function syntheticFileOnce(dataRoot: string, dataset: string, fileName: string, write: (file: string) => Promise<void>): Promise<string> {
  const file = path.join(dataRoot, 'raw', dataset, fileName);
  if (!(await exists(file))) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await write(`${file}.tmp`);
    await fs.rename(`${file}.tmp`, file);
  }
  return file;
}

/** Files with one of the given extensions in a folder under the data root (`dir` from the input, or the default). */
export async function rawFilesIn(dataRoot: string, dir: string, extensions: string | string[], what: string): Promise<string[]> {
  const folder = resolveInDataRoot(dataRoot, dir);
  const wanted = [extensions].flat();
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const files = names.filter((n) => wanted.some((e) => n.endsWith(e))).sort().map((n) => path.join(folder, n));
  if (files.length === 0) throw new DataError(`no ${what} (${wanted.map((e) => `*${e}`).join(', ')}) found`, folder);
  return files;
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
