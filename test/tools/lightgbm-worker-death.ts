/**
 * Child process of test/unit/lightgbm-worker.test.ts: kills the LightGBM worker thread while a synchronous call
 * waits on it (the main thread is then blocked in Atomics.wait and cannot see the thread's 'exit' event). Prints
 * one JSON line per step. Run in its own process so that a regression hangs this child, not the test runner.
 */
import { loadLightgbm } from '../../src/lightgbm';
import { out } from '../../src/lightgbm/library';
import { formatParams } from '../../src/lightgbm/params';

const lib = loadLightgbm();
const call = () => lib.invoke('LGBM_GetSampleCount', [1000, formatParams({ verbosity: -1 }), out()]);
const report = (step: string, f: () => unknown) => {
  try {
    console.log(JSON.stringify({ step, value: f(), threads: lib.nativeCallStats().threads.length }));
  } catch (err) {
    console.log(JSON.stringify({ step, error: `${(err as Error).name}: ${(err as Error).message}` }));
  }
};

report('before', call);
lib.exitWorkerForTest(3); // the thread exits when it reaches this message, before the call below
report('while dying', call);
report('after', call);
