/** Stops and starts one server of the test stack (scripts/stack.sh, same state dir and ports as the tests use). */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/config';

const run = promisify(execFile);

export async function stackService(action: 'start' | 'stop', service: 'temporal' | 'mlflow'): Promise<void> {
  await run('bash', [path.join(PROJECT_ROOT, 'scripts', 'stack.sh'), action, service], { env: process.env, timeout: 180_000 });
}
