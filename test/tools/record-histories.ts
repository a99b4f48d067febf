/**
 * Records one completed history per workflow type into test/fixtures/histories/, for the replay test that
 * guards workflow determinism across code changes. Run against a running stack (e.g. the test stack):
 *   TEMPORAL_ADDRESS=127.0.0.1:17233 MLFLOW_TRACKING_URI=http://127.0.0.1:15000 node build/test/tools/record-histories.js
 * Re-record only when a workflow change is meant to be incompatible (and then version it for runs in flight).
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { PROJECT_ROOT } from '../../src/config';
import { PIPELINES } from '../../src/client';
import { pipelineClient, startWorkers, testConfig } from '../helpers/stack';

const SMALL_PARAMS = { mnist: { epochs: 2 }, cifar10: { epochs: 1 }, tick: { epochs: 1 }, power: { numBoostRound: 20 } };

async function main() {
  const config = testConfig();
  const workers = await startWorkers(config, ['cpu', 'gpu']);
  const client = await pipelineClient(config);
  const dir = path.join(PROJECT_ROOT, 'test', 'fixtures', 'histories');
  fs.mkdirSync(dir, { recursive: true });
  try {
    for (const pipeline of PIPELINES) {
      const handle = await client.start(pipeline, {
        requestId: `replay-fixture-${config.taskQueues.cpu}`,
        input: { source: { kind: 'synthetic' }, params: SMALL_PARAMS[pipeline] },
      });
      await handle.result();
      // Binary protobuf: exact, and read back without protobufjs' JSON layer.
      const bytes = temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish();
      fs.writeFileSync(path.join(dir, `${pipeline}.binpb`), bytes);
      console.log(`recorded ${pipeline}`);
    }
  } finally {
    await workers.stop();
    await client.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
