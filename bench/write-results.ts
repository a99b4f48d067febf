/** Writes bench/results/<name>.json (everything measured) and <name>.md (the short table), replacing earlier ones. */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config';

export function writeResults(name: string, result: unknown, markdown: string, outDir = path.join(PROJECT_ROOT, 'bench', 'results')): void {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, `${name}.md`), markdown);
  console.log(`\nwrote ${path.join(outDir, `${name}.json`)} and ${name}.md`);
}
