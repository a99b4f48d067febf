import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Booster,
  Dataset,
  formatParams,
  isHigherBetter,
  LightgbmError,
  lightgbmVersion,
  loadLightgbm,
  resolveLibraryPath,
  train,
  type LightgbmLibrary,
} from '../../src/lightgbm';

// Until scripts/setup.sh has created the project's .venv, use the lightgbm 4.7.0 wheel installed for testing.
const FALLBACK_LIB = '/tmp/venvtest/.venv/lib/python3.11/site-packages/lightgbm/lib/lib_lightgbm.so';
if (!process.env.LIGHTGBM_LIB) {
  try {
    resolveLibraryPath();
  } catch {
    if (fs.existsSync(FALLBACK_LIB)) process.env.LIGHTGBM_LIB = FALLBACK_LIB;
  }
}

/** mulberry32 + Box-Muller, so every run sees the same data. */
function rng(seed: number): { uniform(): number; normal(): number } {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

interface Data {
  x: Float64Array;
  y: Float32Array;
  nrow: number;
  ncol: number;
}

/** y = 3 x0 - 2 x1 + noise; the other columns are pure noise. */
function regressionData(nrow: number, ncol: number, seed: number, noise = 0.1): Data {
  const r = rng(seed);
  const x = new Float64Array(nrow * ncol);
  const y = new Float32Array(nrow);
  for (let i = 0; i < nrow; i++) {
    for (let j = 0; j < ncol; j++) x[i * ncol + j] = r.uniform();
    y[i] = 3 * x[i * ncol] - 2 * x[i * ncol + 1] + noise * r.normal();
  }
  return { x, y, nrow, ncol };
}

/** label = 1 when x0 + x1 + noise > 1. */
function binaryData(nrow: number, seed: number): Data {
  const { x, nrow: n, ncol } = regressionData(nrow, 3, seed);
  const r = rng(seed + 1);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i * ncol] + x[i * ncol + 1] + 0.3 * r.normal() > 1 ? 1 : 0;
  return { x, y, nrow: n, ncol };
}

function rmse(pred: Float64Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (pred[i] - y[i]) ** 2;
  return Math.sqrt(s / y.length);
}

const REGRESSION = { objective: 'regression', metric: 'rmse', learning_rate: 0.1, num_leaves: 15, seed: 7, deterministic: true };

describe('lightgbm C API binding', () => {
  let lib: LightgbmLibrary;
  const owned: Array<{ free(): void }> = [];
  const own = <T extends { free(): void }>(x: T): T => (owned.push(x), x);

  beforeAll(() => {
    lib = loadLightgbm();
  });
  afterAll(() => {
    for (const x of owned.reverse()) x.free();
    // every LightGBM call of the binding ran on the library's one worker thread (not the event-loop thread, 0)
    const stats = lib.nativeCallStats();
    expect(stats.calls).toBeGreaterThan(100);
    expect(stats.threads).toHaveLength(1);
    expect(stats.threads[0]).not.toBe(0);
  });

  async function datasets(trainData: Data, validData?: Data, params: object = REGRESSION) {
    const trainSet = own(await Dataset.fromMatrix(lib, trainData.x, trainData.nrow, trainData.ncol, trainData.y, { params: params as never }));
    const validSet = validData
      ? own(await Dataset.fromMatrix(lib, validData.x, validData.nrow, validData.ncol, validData.y, { params: params as never, reference: trainSet }))
      : undefined;
    return { trainSet, validSet };
  }

  it('loads the library once per path and reports the wheel version', () => {
    expect(loadLightgbm()).toBe(lib);
    expect(loadLightgbm(lib.path)).toBe(lib);
    expect(lightgbmVersion(lib)).toBe('4.7.0');
  });

  it('explains how to get the library when the configured path is wrong', () => {
    expect(() => resolveLibraryPath('/nonexistent/lib_lightgbm.so')).toThrow(/not found/);
    expect(() => resolveLibraryPath(undefined, { LIGHTGBM_LIB: '/nonexistent/lib_lightgbm.so' })).toThrow(/LIGHTGBM_LIB/);
  });

  it('builds datasets with the right shape and rejects inconsistent input', async () => {
    const d = regressionData(500, 3, 1);
    const { trainSet } = await datasets(d);
    expect(trainSet.numData()).toBe(500);
    expect(trainSet.numFeature()).toBe(3);
    await expect(Dataset.fromMatrix(lib, d.x, 500, 4, d.y)).rejects.toThrow(/nrow \* ncol/);
    await expect(Dataset.fromMatrix(lib, d.x, 500, 3, d.y.subarray(1))).rejects.toThrow(/labels has 499/);
    // number[] labels are accepted (converted to float32)
    const fromArray = await Dataset.fromMatrix(lib, d.x, 500, 3, Array.from(d.y));
    expect(fromArray.numData()).toBe(500);
    fromArray.free();
    await expect(Dataset.fromMatrix(lib, d.x, 500, 3, d.y, { weight: [1, 2] })).rejects.toThrow(/weight has 2/);
    await expect(Dataset.fromMatrix(lib, d.x, 500, 3, d.y, { featureNames: ['a'] })).rejects.toThrow(/featureNames/);
  });

  it('accepts float32 matrices and per-row weights', async () => {
    const d = regressionData(1000, 3, 2);
    const x32 = Float32Array.from(d.x);
    const weight = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1 : 3));
    const trainSet = own(await Dataset.fromMatrix(lib, x32, 1000, 3, d.y, { params: REGRESSION, weight }));
    const { booster } = await train(lib, REGRESSION, trainSet, { numBoostRound: 20 });
    own(booster);
    // float32 rows and the same values as float64 rows give the same predictions
    expect(Array.from(await booster.predict(x32, 1000, 3))).toEqual(Array.from(await booster.predict(Float64Array.from(x32), 1000, 3)));
    await expect(booster.predict(d.x, 1000 / 2, 6)).rejects.toThrow(/3 features but the data has 6 columns/);
  });

  it('formats parameters the way LightGBM parses them', () => {
    expect(formatParams({ objective: 'lambdarank', eval_at: [1, 3], deterministic: true, learning_rate: 0.05, skip: undefined }))
      .toBe('objective=lambdarank eval_at=1,3 deterministic=true learning_rate=0.05');
    expect(() => formatParams({ metric: [] })).toThrow(/empty list/);
    expect(() => formatParams({ learning_rate: NaN })).toThrow(/finite/);
    expect(() => formatParams({ 'bad key': 1 })).toThrow(/parameter name/);
  });

  it('learns y = 3 x0 - 2 x1 + noise: small held-out RMSE', async () => {
    const { trainSet } = await datasets(regressionData(5000, 3, 11));
    const test = regressionData(1000, 3, 12);
    const { booster, bestIteration, history, stopReason } = await train(lib, REGRESSION, trainSet, { numBoostRound: 150 });
    own(booster);
    expect(stopReason).toBe('numBoostRound');
    expect(bestIteration).toBe(150);
    expect(booster.currentIteration()).toBe(150);
    expect(history.train.rmse).toHaveLength(150);
    expect(history.train.rmse[149]).toBeLessThan(history.train.rmse[0]);
    const pred = await booster.predict(test.x, test.nrow, test.ncol);
    expect(pred).toHaveLength(1000);
    // noise sd is 0.1 and y spans [-2, 3]; predicting the mean would give an RMSE of about 1.05
    expect(rmse(pred, test.y)).toBeLessThan(0.15);
  });

  it('stops early on the validation metric and predicts with the best iteration', async () => {
    const { trainSet, validSet } = await datasets(regressionData(2000, 3, 21, 0.5), regressionData(500, 3, 22, 0.5));
    const params = { ...REGRESSION, learning_rate: 0.3, num_leaves: 63, min_data_in_leaf: 2 };
    const seen: number[] = [];
    const result = await train(lib, params, trainSet, {
      valid: validSet,
      numBoostRound: 1000,
      earlyStoppingRounds: 10,
      onIteration: ({ iteration, train: t, valid }) => {
        seen.push(iteration);
        expect(Object.keys(t)).toEqual(['rmse']);
        expect(valid?.rmse).toBeGreaterThan(0);
      },
    });
    const { booster, bestIteration, history, bestScore } = result;
    own(booster);
    expect(result.stopReason).toBe('earlyStopping');
    const trained = booster.currentIteration();
    expect(trained).toBeLessThan(1000);
    expect(trained).toBe(bestIteration + 10);
    expect(seen).toEqual(Array.from({ length: trained }, (_, i) => i + 1));
    const valid = history.valid!.rmse;
    expect(valid).toHaveLength(trained);
    expect(bestIteration).toBe(valid.indexOf(Math.min(...valid)) + 1);
    expect(bestScore).toEqual({ rmse: Math.min(...valid) });
    expect(booster.bestIteration).toBe(bestIteration);

    const v = regressionData(500, 3, 22, 0.5);
    const byDefault = await booster.predict(v.x, v.nrow, v.ncol);
    const atBest = await booster.predict(v.x, v.nrow, v.ncol, { numIteration: bestIteration });
    const all = await booster.predict(v.x, v.nrow, v.ncol, { numIteration: -1 });
    expect(byDefault).toEqual(atBest);
    expect(all).not.toEqual(atBest);
    // LightGBM's rmse on the validation set is what we compute from the best-iteration predictions
    expect(rmse(atBest, v.y)).toBeCloseTo(bestScore!.rmse, 5);
  });

  it('treats auc as higher-is-better for early stopping', async () => {
    expect(isHigherBetter('auc')).toBe(true);
    expect(isHigherBetter('ndcg@5')).toBe(true);
    expect(isHigherBetter('map@3')).toBe(true);
    expect(isHigherBetter('average_precision')).toBe(true);
    expect(isHigherBetter('rmse')).toBe(false);
    expect(isHigherBetter('binary_logloss')).toBe(false);

    const params = { objective: 'binary', metric: 'auc', learning_rate: 0.3, num_leaves: 63, min_data_in_leaf: 2, seed: 3, deterministic: true };
    const { trainSet, validSet } = await datasets(binaryData(2000, 31), binaryData(500, 32), params);
    const result = await train(lib, params, trainSet, { valid: validSet, numBoostRound: 500, earlyStoppingRounds: 15 });
    own(result.booster);
    const auc = result.history.valid!.auc;
    expect(result.stopReason).toBe('earlyStopping');
    expect(result.bestIteration).toBe(auc.indexOf(Math.max(...auc)) + 1);
    expect(result.bestScore!.auc).toBe(Math.max(...auc));
    expect(result.bestScore!.auc).toBeGreaterThan(0.8);
  });

  it('early-stops ranking on ndcg (higher is better) with query groups', async () => {
    // 300 queries of 10 documents; relevance 0..3 follows x0 + x1 plus noise
    const queries = 300;
    const perQuery = 10;
    const build = (seed: number) => {
      const d = regressionData(queries * perQuery, 3, seed);
      const r = rng(seed + 5);
      const y = new Float32Array(d.nrow);
      for (let i = 0; i < d.nrow; i++) y[i] = Math.max(0, Math.min(3, Math.floor(2 * (d.x[i * 3] + d.x[i * 3 + 1]) + 0.7 * r.normal())));
      return { ...d, y, group: new Array<number>(queries).fill(perQuery) };
    };
    const params = { objective: 'lambdarank', metric: 'ndcg', eval_at: [3, 5], learning_rate: 0.3, num_leaves: 31, min_data_in_leaf: 2, seed: 5, deterministic: true };
    const t = build(91);
    const v = build(92);
    const trainSet = own(await Dataset.fromMatrix(lib, t.x, t.nrow, t.ncol, t.y, { params, group: t.group }));
    const validSet = own(await Dataset.fromMatrix(lib, v.x, v.nrow, v.ncol, v.y, { params, group: v.group, reference: trainSet }));
    const result = await train(lib, params, trainSet, { valid: validSet, numBoostRound: 500, earlyStoppingRounds: 10 });
    own(result.booster);
    expect(result.booster.evalNames()).toEqual(['ndcg@3', 'ndcg@5']);
    const ndcg3 = result.history.valid!['ndcg@3'];
    expect(result.stopReason).toBe('earlyStopping');
    expect(result.bestIteration).toBe(ndcg3.indexOf(Math.max(...ndcg3)) + 1);
    expect(result.bestScore!['ndcg@3']).toBeGreaterThan(0.7);
  });

  it('round-trips the model through saveModelToString / loadModelFromString with identical predictions', async () => {
    const { trainSet } = await datasets(regressionData(3000, 4, 41));
    const { booster } = await train(lib, REGRESSION, trainSet, { numBoostRound: 60 });
    own(booster);
    const test = regressionData(700, 4, 42);
    const text = booster.saveModelToString();
    expect(text).toMatch(/^tree\nversion=v4/);
    const loaded = own(Booster.loadModelFromString(lib, text));
    expect(loaded.currentIteration()).toBe(60);
    expect(loaded.numFeature()).toBe(4);
    const a = await booster.predict(test.x, test.nrow, test.ncol);
    const b = await loaded.predict(test.x, test.nrow, test.ncol);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(loaded.saveModelToString()).toBe(text);

    // a truncated model predicts like the original restricted to those iterations
    const first20 = own(Booster.loadModelFromString(lib, booster.saveModelToString({ numIteration: 20 })));
    expect(Array.from(await first20.predict(test.x, test.nrow, test.ncol))).toEqual(
      Array.from(await booster.predict(test.x, test.nrow, test.ncol, { numIteration: 20 })),
    );
    await expect(loaded.updateOneIter()).rejects.toThrow(/no training data/);
  });

  it('ranks the informative features above a pure-noise feature', async () => {
    const d = regressionData(4000, 3, 51);
    const trainSet = own(await Dataset.fromMatrix(lib, d.x, d.nrow, d.ncol, d.y, { params: REGRESSION, featureNames: ['x0', 'x1', 'noise'] }));
    const { booster } = await train(lib, REGRESSION, trainSet, { numBoostRound: 80 });
    own(booster);
    expect(booster.featureNames()).toEqual(['x0', 'x1', 'noise']);
    for (const type of ['split', 'gain'] as const) {
      const imp = booster.featureImportance(type);
      expect(imp).toHaveLength(3);
      expect(Math.min(imp[0], imp[1])).toBeGreaterThan(imp[2]);
    }
    const gain = booster.featureImportance('gain');
    expect(gain[0]).toBeGreaterThan(gain[1]); // |3| > |-2|
  });

  it("throws LightgbmError carrying LightGBM's message for bad parameters", async () => {
    const { trainSet } = await datasets(regressionData(300, 3, 61));
    let err: unknown;
    try {
      Booster.create(trainSet, { objective: 'nonsense' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LightgbmError);
    expect((err as LightgbmError).functionName).toBe('LGBM_BoosterCreate');
    expect((err as LightgbmError).lightgbmMessage).toBe('Unknown objective type name: nonsense');
    expect((err as LightgbmError).message).toContain('Unknown objective type name: nonsense');
    await expect(train(lib, { objective: 'nonsense' }, trainSet, { numBoostRound: 5 })).rejects.toThrow(LightgbmError);

    // failures of async calls (run on libuv's pool) carry the message too
    const d = regressionData(300, 3, 62);
    const bad = Dataset.fromMatrix(lib, d.x, d.nrow, d.ncol, d.y, { params: { max_bin: 1 } });
    await expect(bad).rejects.toThrow(LightgbmError);
    await expect(bad).rejects.toThrow(/LGBM_DatasetCreateFromMat failed: Check failed: \(max_bin\) > \(1\)/);
    expect(() => Booster.create(trainSet, { num_leaves: 'many' })).toThrow(/num_leaves/);
    // values LightGBM's "k=v k=v" format cannot carry are refused before reaching it
    expect(() => Booster.create(trainSet, { metric: 'l1 l2' })).toThrow(TypeError);
  });

  it('frees deterministically and refuses use after free', async () => {
    const d = regressionData(500, 3, 71);
    const trainSet = await Dataset.fromMatrix(lib, d.x, d.nrow, d.ncol, d.y, { params: REGRESSION });
    const booster = Booster.create(trainSet, REGRESSION);
    // freeing the dataset while a booster trains on it defers the native free to the booster's
    trainSet.free();
    trainSet.free();
    expect(trainSet.isFreed).toBe(true);
    expect(() => trainSet.numData()).toThrow(/freed/);
    expect(await booster.updateOneIter()).toBe(false);
    expect((await booster.getEval(0))[0]).toBeGreaterThan(0);
    // free() during an in-flight iteration waits for it natively
    const pending = booster.updateOneIter();
    await expect(booster.getEval(0)).rejects.toThrow(/busy/);
    booster.free();
    await expect(pending).resolves.toBe(false);
    booster.free();
    expect(() => booster.currentIteration()).toThrow(/freed/);
    await expect(booster.predict(d.x, d.nrow, d.ncol)).rejects.toThrow(/freed/);
  });

  it('reports failures of predict (run on the worker) with LightGBM\'s exact message', async () => {
    const d = regressionData(300, 3, 63);
    const { trainSet } = await datasets(d);
    const { booster } = await train(lib, REGRESSION, trainSet, { numBoostRound: 3 });
    own(booster);
    let err: unknown;
    try {
      await booster.predict(d.x, d.nrow, d.ncol, { params: { num_threads: 'abc' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LightgbmError);
    expect((err as LightgbmError).functionName).toBe('LGBM_BoosterPredictForMat');
    expect((err as LightgbmError).lightgbmMessage).toMatch(/num_threads/);
    // the booster is still usable afterwards
    expect(await booster.predict(d.x, d.nrow, d.ncol)).toHaveLength(300);
  });

  it('does not leak across many create / train / free cycles', async () => {
    const d = regressionData(2000, 8, 65);
    const cycle = async () => {
      const ds = await Dataset.fromMatrix(lib, d.x, d.nrow, d.ncol, d.y, { params: REGRESSION });
      const b = Booster.create(ds, REGRESSION);
      ds.free();
      for (let i = 0; i < 3; i++) await b.updateOneIter();
      await b.predict(d.x, d.nrow, d.ncol);
      expect(b.saveModelToString().length).toBeGreaterThan(0);
      b.free();
    };
    for (let i = 0; i < 30; i++) await cycle();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 300; i++) await cycle();
    const grown = process.memoryUsage().rss - before;
    // each leaked dataset + booster would hold several hundred KiB natively
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  it('keeps the event loop responsive during a long training loop', async () => {
    const { trainSet } = await datasets(regressionData(50_000, 10, 81));
    const booster = own(Booster.create(trainSet, { ...REGRESSION, num_leaves: 63 }));
    let ticks = 0;
    let last = Date.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 5);
    const started = Date.now();
    try {
      for (let i = 0; i < 200; i++) await booster.updateOneIter();
    } finally {
      clearInterval(timer);
    }
    const elapsed = Date.now() - started;
    expect(booster.currentIteration()).toBe(200);
    // a blocked loop would tick at most once; a free one ticks about every 5 ms
    expect(ticks).toBeGreaterThan(Math.min(50, elapsed / 20));
    expect(maxGap).toBeLessThan(Math.max(250, elapsed / 4));
  });
});

describe('lightgbm library resolution', () => {
  it('globs <projectRoot>/.venv/lib/python*/site-packages/lightgbm/lib, newest Python first', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lgbm-root-'));
    try {
      fs.writeFileSync(path.join(root, 'package.json'), '{}');
      const nested = path.join(root, 'build', 'src', 'lightgbm');
      fs.mkdirSync(nested, { recursive: true });
      expect(() => resolveLibraryPath(undefined, {}, nested)).toThrow(/scripts\/setup\.sh.*LIGHTGBM_LIB/);
      for (const py of ['python3.9', 'python3.12', 'python3.11']) {
        const dir = path.join(root, '.venv', 'lib', py, 'site-packages', 'lightgbm', 'lib');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'lib_lightgbm.so'), '');
      }
      expect(resolveLibraryPath(undefined, {}, nested)).toBe(
        path.join(root, '.venv', 'lib', 'python3.12', 'site-packages', 'lightgbm', 'lib', 'lib_lightgbm.so'),
      );
      // the explicit path wins over LIGHTGBM_LIB, which wins over .venv
      const custom = path.join(root, 'custom.so');
      fs.writeFileSync(custom, '');
      expect(resolveLibraryPath(custom, { LIGHTGBM_LIB: '/nonexistent' }, nested)).toBe(custom);
      expect(resolveLibraryPath(undefined, { LIGHTGBM_LIB: custom }, nested)).toBe(custom);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
