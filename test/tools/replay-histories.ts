/**
 * Replays every recorded history in test/fixtures/histories against today's workflow code; exits 1 on any
 * nondeterminism.
 *   node build/test/tools/replay-histories.js [bundle path]
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/config';

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const codePath = process.argv[2];
  const dir = path.join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.binpb')).sort();
  const histories = files.map((f) => ({
    workflowId: path.basename(f, '.binpb'),
    history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))),
  }));
  let failed = 0;
  for await (const result of Worker.runReplayHistories(
    codePath ? { workflowBundle: { codePath } } : { workflowsPath: require.resolve('../../src/workflows') },
    histories,
  )) {
    if (result.error) failed++;
    console.log(`${result.workflowId}: ${result.error ? `NONDETERMINISTIC ${result.error.message}` : 'replayed'}`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
