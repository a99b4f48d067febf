/**
 * The one "build once" mechanism for folders under the data root, used by synthetic raw sets and prepared data.
 * `fill` writes into a fresh temporary folder next to the target (nobody can have planted anything in it); the
 * folder counts as finished when `marker` is in it, and is renamed into place whole, so a half-written folder is
 * never used. Concurrent builders (a backfill's parallel runs) race harmlessly: the first rename wins and the others
 * use its folder; an unfinished leftover of a crash is removed (rm never follows links) and replaced.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DataRoot } from './paths';

/** Written last into a folder whose `fill` does not write the marker itself. */
export const COMPLETE_MARKER = '.complete';

export async function folderOnce(
  root: DataRoot,
  dir: string,
  fill: (tmp: string) => Promise<void>,
  marker: string = COMPLETE_MARKER,
): Promise<{ dir: string; built: boolean }> {
  const target = await root.resolve(dir);
  const complete = path.join(target, marker);
  if (await root.exists(complete)) return { dir: target, built: false };
  const tmp = await root.mkdtemp(path.dirname(target), `.${path.basename(target)}.tmp-`);
  try {
    await fill(tmp);
    // A fill that writes its own marker last (prepared data's meta.json) keeps it; otherwise an empty one goes last.
    if (!(await root.exists(path.join(tmp, marker)))) await root.writeFile(path.join(tmp, marker), '');
    await fs.rename(tmp, target).catch(async (e) => {
      // Another attempt finished the same folder first: use that one.
      if (await root.exists(complete)) return;
      if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      // An incomplete folder left by a crash goes; rm never follows links, and target was checked to be inside the root.
      await fs.rm(target, { recursive: true, force: true });
      await fs.rename(tmp, target);
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  return { dir: await root.resolve(target), built: true };
}
