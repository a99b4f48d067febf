/**
 * Determinism guard: today's workflow code must replay the recorded histories of every pipeline
 * (test/fixtures/histories, recorded by test/tools/record-histories.ts). A change that would break runs in
 * flight fails here, before it is deployed.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/config';
import { PIPELINES } from '../../src/client';
import { ensureWorkflowBundle } from '../helpers/stack';

it('every pipeline replays its recorded history with the current workflow code', async () => {
  const bundle = await ensureWorkflowBundle();
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'build', 'test', 'tools', 'replay-histories.js'), bundle]);
  expect(stdout.trim().split('\n').sort()).toEqual(PIPELINES.map((p) => `${p}: replayed`).sort());
});
