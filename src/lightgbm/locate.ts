import * as fs from 'fs';
import * as path from 'path';
import { lightgbmLibFromEnv } from '../config/lightgbm';

/** Ancestors of `from` (nearest first) that hold a package.json. */
function projectRootCandidates(from: string): string[] {
  const roots: string[] = [];
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) roots.push(dir);
    if (path.dirname(dir) === dir) return roots;
  }
}

/** `<root>/.venv/lib/python3.X/site-packages/lightgbm/lib/lib_lightgbm.so`, newest Python first. */
function venvLibraries(root: string): string[] {
  const libDir = path.join(root, '.venv', 'lib');
  let entries: string[];
  try {
    entries = fs.readdirSync(libDir);
  } catch {
    return [];
  }
  const version = (name: string) => name.slice('python'.length).split('.').map((p) => Number(p) || 0);
  return entries
    .filter((name) => /^python\d/.test(name))
    .sort((a, b) => {
      const [va, vb] = [version(a), version(b)];
      for (let i = 0; i < Math.max(va.length, vb.length); i++) {
        const d = (vb[i] ?? 0) - (va[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    })
    .map((py) => path.join(libDir, py, 'site-packages', 'lightgbm', 'lib', 'lib_lightgbm.so'))
    .filter((file) => fs.existsSync(file));
}

/**
 * Where lib_lightgbm.so is: the explicit path, else $LIGHTGBM_LIB, else the lightgbm wheel in the project's
 * .venv (the project root is the nearest folder above this file holding package.json).
 */
export function resolveLibraryPath(
  explicitPath?: string,
  env?: NodeJS.ProcessEnv,
  searchFrom: string = __dirname,
): string {
  const hint =
    'Run scripts/setup.sh, which installs the lightgbm wheel into .venv, ' +
    'or set LIGHTGBM_LIB to the path of lib_lightgbm.so.';
  if (explicitPath) {
    if (!fs.existsSync(explicitPath)) throw new Error(`LightGBM library not found at the given path ${explicitPath}. ${hint}`);
    return path.resolve(explicitPath);
  }
  const fromEnv = lightgbmLibFromEnv(env);
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`LightGBM library not found: LIGHTGBM_LIB=${fromEnv} does not exist. ${hint}`);
    return path.resolve(fromEnv);
  }
  const roots = projectRootCandidates(searchFrom);
  for (const root of roots) {
    const [found] = venvLibraries(root);
    if (found) return found;
  }
  const where = roots.length ? `${roots[0]}/.venv/lib/python*/site-packages/lightgbm/lib/lib_lightgbm.so` : '.venv';
  throw new Error(`LightGBM shared library not found (looked for ${where}). ${hint}`);
}

/** The wheel's version (lightgbm/VERSION.txt next to lib/), or undefined for a library outside a wheel. */
export function readWheelVersion(libraryPath: string): string | undefined {
  try {
    const text = fs.readFileSync(path.join(path.dirname(libraryPath), '..', 'VERSION.txt'), 'utf8').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}
