/** Paths given in workflow input are resolved inside the data root; anything that escapes it is rejected. */
import path from 'node:path';
import fs from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { DataError } from './errors';

export function resolveInDataRoot(dataRoot: string, relativeOrAbsolute: string): string {
  const root = path.resolve(dataRoot);
  const resolved = path.resolve(root, relativeOrAbsolute);
  if (resolved !== root && !resolved.startsWith(root + path.sep)) {
    throw new DataError(`path escapes the data root ${root}`, relativeOrAbsolute);
  }
  return resolved;
}

/** Content hash of files (names and bytes), so unchanged inputs can reuse their prepared data. */
export async function hashFiles(files: string[], extra = ''): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(path.basename(file));
    hash.update(await fs.readFile(file));
  }
  hash.update(extra);
  return hash.digest('hex');
}

export async function existingFiles(dir: string, names: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (await fs.stat(file).then((s) => s.isFile(), () => false)) found.push(file);
  }
  return found;
}
