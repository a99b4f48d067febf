/**
 * Diagnostic side of the LightGBM benchmark, driven by run.ts (same line protocol as reference.py): the same
 * work as the binding's Dataset.fromMatrix + train() + predict(), through the same lib_lightgbm.so and koffi
 * function objects (lib.api), but with every LightGBM call made synchronously from ONE worker thread of a
 * separate process, as the Python package makes them all from its one thread. The child's main thread only
 * relays commands, so its event loop stays free, as it would with a fix built this way.
 *
 * It isolates what the binding's threading costs: the binding issues OpenMP-parallel LightGBM calls from the
 * event-loop thread and from several libuv pool threads, and libgomp gives each of those threads its own
 * team of worker threads (see bench/README.md).
 *
 *   node build/bench/lightgbm/one-thread.js --data FILE --params JSON --rounds N --out-pred FILE --out-model FILE
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import * as readline from 'readline';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { formatParams, lightgbmVersion, loadLightgbm, type Params } from '../../src/lightgbm';
import { C_API_DTYPE_FLOAT32, C_API_DTYPE_FLOAT64, C_API_PREDICT_NORMAL } from '../../src/lightgbm/library';
import { readBenchData } from './data';

interface Args {
  data: string;
  params: Params;
  rounds: number;
  outPred: string;
  outModel: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0 || argv[i + 1] === undefined) throw new Error(`--${name} is required`);
    return argv[i + 1];
  };
  return {
    data: get('data'),
    params: JSON.parse(get('params')) as Params,
    rounds: Number(get('rounds')),
    outPred: get('out-pred'),
    outModel: get('out-model'),
  };
}

/** Runs in the worker thread: every LightGBM call of this process happens here. */
function serveInWorker(args: Args): void {
  const port = parentPort;
  if (!port) throw new Error('not a worker thread');
  const lib = loadLightgbm();
  const api = lib.api;
  const data = readBenchData(args.data);
  const paramText = formatParams(args.params);
  const predictParams = formatParams({ verbosity: args.params.verbosity ?? -1 });
  let current: { dataset: bigint; booster: bigint } | undefined;
  let first: Float64Array | undefined;
  let last: Float64Array | undefined;

  const release = () => {
    if (!current) return;
    lib.check('LGBM_BoosterFree', api.LGBM_BoosterFree(current.booster));
    lib.check('LGBM_DatasetFree', api.LGBM_DatasetFree(current.dataset));
    current = undefined;
  };

  const repeat = () => {
    release();
    const t0 = performance.now();
    const dsOut: [bigint | null] = [null];
    lib.check('LGBM_DatasetCreateFromMat', api.LGBM_DatasetCreateFromMat(
      data.xTrain, C_API_DTYPE_FLOAT64, data.nTrain, data.ncol, 1, paramText, null, dsOut));
    const dataset = dsOut[0];
    if (dataset === null) throw new Error('no dataset handle');
    lib.check('LGBM_DatasetSetField', api.LGBM_DatasetSetField(dataset, 'label', data.yTrain, data.nTrain, C_API_DTYPE_FLOAT32));
    const t1 = performance.now();

    // What train() does: create the booster, then per round one update plus the training-data metrics.
    const bOut: [bigint | null] = [null];
    lib.check('LGBM_BoosterCreate', api.LGBM_BoosterCreate(dataset, paramText, bOut));
    const booster = bOut[0];
    if (booster === null) throw new Error('no booster handle');
    current = { dataset, booster };
    const evalCount: [number] = [0];
    lib.check('LGBM_BoosterGetEvalCounts', api.LGBM_BoosterGetEvalCounts(booster, evalCount));
    const evals = new Float64Array(Math.max(1, evalCount[0]));
    const evalLen: [number] = [0];
    const emptyTree: [number] = [0];
    for (let i = 0; i < args.rounds; i++) {
      lib.check('LGBM_BoosterUpdateOneIter', api.LGBM_BoosterUpdateOneIter(booster, emptyTree));
      if (emptyTree[0] === 1) break;
      if (evalCount[0] > 0) lib.check('LGBM_BoosterGetEval', api.LGBM_BoosterGetEval(booster, 0, evalLen, evals));
    }
    const t2 = performance.now();

    const size: [number] = [0];
    lib.check('LGBM_BoosterCalcNumPredict', api.LGBM_BoosterCalcNumPredict(booster, data.nTest, C_API_PREDICT_NORMAL, 0, -1, size));
    const pred = new Float64Array(size[0]);
    const written: [number] = [0];
    lib.check('LGBM_BoosterPredictForMat', api.LGBM_BoosterPredictForMat(booster, data.xTest, C_API_DTYPE_FLOAT64,
      data.nTest, data.ncol, 1, C_API_PREDICT_NORMAL, 0, -1, predictParams, written, pred));
    const t3 = performance.now();
    first ??= pred;
    last = pred;
    const iterations: [number] = [0];
    lib.check('LGBM_BoosterGetCurrentIteration', api.LGBM_BoosterGetCurrentIteration(booster, iterations));
    return {
      constructMs: t1 - t0,
      trainMs: t2 - t1,
      predictMs: t3 - t2,
      predictRowsPerSec: data.nTest / ((t3 - t2) / 1e3),
      iterations: iterations[0],
    };
  };

  const finish = () => {
    if (!current || !first || !last) throw new Error('finish before any repeat');
    fs.writeFileSync(args.outPred, new Uint8Array(last.buffer, last.byteOffset, last.byteLength));
    let capacity = 1 << 22;
    for (;;) {
      const buf = Buffer.allocUnsafe(capacity);
      const needed: [number] = [0];
      lib.check('LGBM_BoosterSaveModelToString', api.LGBM_BoosterSaveModelToString(current.booster, 0, -1, 0, capacity, needed, buf));
      if (needed[0] <= capacity) {
        fs.writeFileSync(args.outModel, buf.subarray(0, needed[0] - 1));
        break;
      }
      capacity = needed[0];
    }
    let diff = 0;
    for (let i = 0; i < last.length; i++) diff = Math.max(diff, Math.abs(last[i] - first[i]));
    release();
    return { done: true, repeatMaxAbsDiff: diff };
  };

  port.on('message', (cmd: string) => {
    try {
      port.postMessage(cmd === 'repeat' ? repeat() : cmd === 'finish' ? finish() : { error: `unknown command ${cmd}` });
    } catch (err) {
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  });
  port.postMessage({ ready: true, lightgbm: lightgbmVersion(lib), lightgbmLibrary: lib.path, node: process.version });
}

/** Main thread of the child process: relays stdin lines to the worker and its answers to stdout. */
function relay(args: Args): void {
  const worker = new Worker(__filename, { workerData: args });
  let finishing = false;
  worker.on('message', (msg: { done?: boolean; error?: string }) => {
    process.stdout.write(JSON.stringify(msg) + '\n');
    if (msg.error) process.exit(1);
    if (msg.done) {
      finishing = true;
      void worker.terminate();
    }
  });
  worker.on('error', (err) => {
    console.error(err);
    process.exit(1);
  });
  worker.on('exit', (code) => {
    if (!finishing) process.exit(code || 1);
  });
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const cmd = line.trim();
    if (cmd) worker.postMessage(cmd);
  });
  lines.on('close', () => {
    if (!finishing) void worker.terminate();
  });
}

if (isMainThread) {
  relay(parseArgs(process.argv.slice(2)));
} else {
  serveInWorker(workerData as Args);
}
