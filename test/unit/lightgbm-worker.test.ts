/**
 * LightGBM worker thread death: every call pending on a dead thread fails at once with LightgbmWorkerDiedError
 * (retryable), and the next call runs on a fresh thread, instead of a call waiting forever.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/config';
import { LightgbmLibrary, LightgbmWorkerDiedError, loadLightgbm } from '../../src/lightgbm';
import { out } from '../../src/lightgbm/library';
import { formatParams } from '../../src/lightgbm/params';
import { toActivityFailure } from '../../src/activities/failures';

const sampleCount = (lib: LightgbmLibrary) => lib.invokeAsync('LGBM_GetSampleCount', [1000, formatParams({ verbosity: -1 }), out()]);

describe('LightGBM worker thread death', () => {
  it('fails an asynchronous call pending on the dying thread, then starts a new thread for the next call', async () => {
    const lib = new LightgbmLibrary(loadLightgbm().path); // its own thread, not the shared library's
    expect(await sampleCount(lib)).toEqual([1000]);
    lib.exitWorkerForTest(3);
    const pending = sampleCount(lib);
    await expect(pending).rejects.toThrow(LightgbmWorkerDiedError);
    await expect(pending).rejects.toThrow('The LightGBM worker thread died (exit code 3) with this call pending; the next call starts a new thread');
    expect(await sampleCount(lib)).toEqual([1000]);
    expect(lib.nativeCallStats().threads).toHaveLength(2);
  });

  it('fails a synchronous call blocked on the dying thread instead of waiting forever', async () => {
    const script = path.join(PROJECT_ROOT, 'build', 'test', 'tools', 'lightgbm-worker-death.js');
    // A hang (the defect) is killed by the timeout and fails the test.
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { step: 'before', value: [1000], threads: 1 },
      { step: 'while dying', error: 'LightgbmWorkerDiedError: The LightGBM worker thread died before it answered LGBM_GetSampleCount; the next call starts a new thread' },
      { step: 'after', value: [1000], threads: 2 },
    ]);
  });

  it('is retryable for activities (the retry gets a fresh thread), unlike a LightGBM C error', () => {
    const died = new LightgbmWorkerDiedError('thread died');
    expect(toActivityFailure(died)).toBe(died); // passed through: the stage's retry policy applies
  });
});
