/**
 * Stops and starts one server of the test stack: scripts/stack.sh (same state dir and ports as the tests use), or
 * with DML_TEST_STACK=cluster the real cluster of scripts/cluster.sh (its temporal-server on PostgreSQL, its MLflow).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/config';

const run = promisify(execFile);

export async function stackService(action: 'start' | 'stop', service: 'temporal' | 'mlflow', projectRoot = PROJECT_ROOT): Promise<void> {
  const script = process.env.DML_TEST_STACK === 'cluster' ? 'cluster.sh' : 'stack.sh';
  await run('bash', [path.join(projectRoot, 'scripts', script), action, service], { env: process.env, timeout: 180_000 });
}
