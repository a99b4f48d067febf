import type { Dataset } from './dataset';
import { LightgbmError } from './errors';
import { handleFinalizer, NativeHandle } from './handle';
import {
  C_API_FEATURE_IMPORTANCE_GAIN,
  C_API_FEATURE_IMPORTANCE_SPLIT,
  C_API_PREDICT_NORMAL,
  C_API_PREDICT_RAW_SCORE,
  type LightgbmLibrary,
} from './library';
import { checkMatrix, type MatrixData } from './matrix';
import { formatParams, verbosityOf, withDefaultVerbosity, type Params } from './params';

export type ImportanceType = 'split' | 'gain';

export interface PredictOptions {
  /** Iterations to use; <= 0 means all. Default: bestIteration when set (by train()), else all. */
  numIteration?: number;
  startIteration?: number;
  /** Raw margins instead of transformed outputs (e.g. no sigmoid for binary). */
  rawScore?: boolean;
  /** Prediction parameters (e.g. num_threads, predict_disable_shape_check). */
  params?: Params;
}

export interface SaveModelOptions {
  /** Iterations to save; <= 0 means all. Default: bestIteration when set, else all. */
  numIteration?: number;
  startIteration?: number;
  /** Which importance the model text's feature_importances section lists. Default 'split'. */
  importanceType?: ImportanceType;
}

const IMPORTANCE: Record<ImportanceType, number> = {
  split: C_API_FEATURE_IMPORTANCE_SPLIT,
  gain: C_API_FEATURE_IMPORTANCE_GAIN,
};

/**
 * A LightGBM Booster. Free it with free(). While updateOneIter() is pending, other calls throw (LightGBM would
 * block them on the booster's lock, which here would mean blocking the event loop); free() is deferred.
 */
export class Booster {
  /**
   * Default iteration count of predict(), saveModelToString() and featureImportance(), like the Python
   * package's best_iteration. train() sets it; undefined means all iterations.
   */
  bestIteration: number | undefined;

  private readonly native: NativeHandle;
  private readonly verbosity: number;
  private readonly validSets: Dataset[] = [];
  private readonly datasetPins: Array<() => void> = [];
  private evalNamesCache: string[] | undefined;
  private updating = false;
  private asyncCalls = 0;
  private broken: string | undefined;

  private constructor(
    readonly lib: LightgbmLibrary,
    ptr: bigint,
    /** Parameters it was created with (verbosity defaulted to -1); empty for a loaded model. */
    readonly params: Params,
    private readonly trainSet: Dataset | undefined,
  ) {
    const pins = this.datasetPins;
    this.native = new NativeHandle(ptr, 'LightGBM Booster', (p) => {
      try {
        lib.check('LGBM_BoosterFree', lib.api.LGBM_BoosterFree(p));
      } finally {
        for (const unpin of pins.splice(0)) unpin();
      }
    });
    this.verbosity = verbosityOf(withDefaultVerbosity(params));
    if (trainSet) pins.push(trainSet.native.pin());
    handleFinalizer.register(this, this.native, this);
  }

  /** A booster training on `train` (kept alive natively until this booster is freed). */
  static create(train: Dataset, params: Params = {}): Booster {
    const lib = train.lib;
    const effective = withDefaultVerbosity(params);
    const out: [bigint | null] = [null];
    lib.check('LGBM_BoosterCreate', lib.api.LGBM_BoosterCreate(train.native.get(), formatParams(effective), out));
    if (out[0] === null) throw new Error('LGBM_BoosterCreate returned no handle');
    return new Booster(lib, out[0], effective, train);
  }

  /** A booster from LightGBM's model text (saveModelToString, Python's model_to_string, model.txt files). */
  static loadModelFromString(lib: LightgbmLibrary, text: string): Booster {
    if (text.includes('\0')) throw new TypeError('model text contains a NUL character');
    const bytes = Buffer.byteLength(text, 'utf8');
    const cText = Buffer.alloc(bytes + 1);
    cText.write(text, 0, bytes, 'utf8');
    const iterations: [number] = [0];
    const out: [bigint | null] = [null];
    lib.check('LGBM_BoosterLoadModelFromString', lib.api.LGBM_BoosterLoadModelFromString(cText, iterations, out));
    if (out[0] === null) throw new Error('LGBM_BoosterLoadModelFromString returned no handle');
    return new Booster(lib, out[0], {}, undefined);
  }

  /** Adds a validation set (built with `reference` = the training dataset); its data index is its order, from 1. */
  addValidData(dataset: Dataset): void {
    const ptr = this.idle('addValidData', true);
    if (dataset.lib !== this.lib) throw new Error('dataset belongs to another LightGBM library instance');
    const unpin = dataset.native.pin();
    try {
      this.lib.check('LGBM_BoosterAddValidData', this.lib.api.LGBM_BoosterAddValidData(ptr, dataset.native.get()));
    } catch (err) {
      unpin();
      throw err;
    }
    this.datasetPins.push(unpin);
    this.validSets.push(dataset);
  }

  /**
   * One boosting iteration, run on libuv's thread pool. Resolves true when LightGBM produced an empty tree
   * (no split met the requirements: training has converged and the iteration was not added).
   */
  async updateOneIter(): Promise<boolean> {
    if (!this.trainSet) throw new Error('This booster has no training data (it was loaded from a model string)');
    if (this.broken) throw new Error(`This booster cannot be trained further: ${this.broken}`);
    const ptr = this.idle('updateOneIter', true);
    const unpin = this.native.pin(); // a free() from now on waits for this iteration to finish
    this.updating = true;
    try {
      await this.lib.primeWorkerThreads(this.verbosity);
      const modelsBefore = this.totalModels(ptr);
      const emptyTree: [number] = [0];
      const rc = await this.lib.callAsync(this.lib.api.LGBM_BoosterUpdateOneIter, ptr, emptyTree);
      if (rc !== 0) this.diagnoseFailedUpdate(ptr, modelsBefore, emptyTree);
      return emptyTree[0] === 1;
    } finally {
      this.updating = false;
      unpin();
    }
  }

  /** Metric names, in the order of getEval()'s values (e.g. ['l2', 'l1'], ['auc'], ['ndcg@1', 'ndcg@3']). */
  evalNames(): string[] {
    const ptr = this.idle('evalNames');
    if (!this.evalNamesCache) {
      const count: [number] = [0];
      this.lib.check('LGBM_BoosterGetEvalCounts', this.lib.api.LGBM_BoosterGetEvalCounts(ptr, count));
      this.evalNamesCache = this.lib.readStrings('LGBM_BoosterGetEvalNames', this.lib.api.LGBM_BoosterGetEvalNames, ptr, count[0]);
    }
    return [...this.evalNamesCache];
  }

  /** Current metric values on data `dataIdx`: 0 = training data, 1 = first validation set, ... */
  getEval(dataIdx: number): number[] {
    const names = this.evalNames();
    const ptr = this.idle('getEval');
    if (!Number.isInteger(dataIdx) || dataIdx < 0 || dataIdx > this.validSets.length || (dataIdx === 0 && !this.trainSet)) {
      throw new RangeError(`No dataset with index ${dataIdx} (training data: ${this.trainSet ? 'yes' : 'no'}, validation sets: ${this.validSets.length})`);
    }
    const values = new Float64Array(names.length);
    const outLen: [number] = [0];
    this.lib.check('LGBM_BoosterGetEval', this.lib.api.LGBM_BoosterGetEval(ptr, dataIdx, outLen, values));
    return Array.from(values.subarray(0, outLen[0]));
  }

  /** Number of completed boosting iterations. */
  currentIteration(): number {
    const out: [number] = [0];
    this.lib.check('LGBM_BoosterGetCurrentIteration', this.lib.api.LGBM_BoosterGetCurrentIteration(this.idle('currentIteration'), out));
    return out[0];
  }

  numFeature(): number {
    const out: [number] = [0];
    this.lib.check('LGBM_BoosterGetNumFeature', this.lib.api.LGBM_BoosterGetNumFeature(this.idle('numFeature'), out));
    return out[0];
  }

  numClasses(): number {
    const out: [number] = [0];
    this.lib.check('LGBM_BoosterGetNumClasses', this.lib.api.LGBM_BoosterGetNumClasses(this.idle('numClasses'), out));
    return out[0];
  }

  featureNames(): string[] {
    return this.lib.readStrings('LGBM_BoosterGetFeatureNames', this.lib.api.LGBM_BoosterGetFeatureNames,
      this.idle('featureNames'), this.numFeature());
  }

  /**
   * Predictions for a dense row-major matrix, computed on libuv's thread pool (`rows` must not be modified
   * until the promise settles). One value per row, or nrow * numClasses for multiclass (row-major).
   */
  async predict(rows: MatrixData, nrow: number, ncol: number, opts: PredictOptions = {}): Promise<Float64Array> {
    const dtype = checkMatrix(rows, nrow, ncol);
    const ptr = this.idle('predict');
    const params = withDefaultVerbosity({ verbosity: this.verbosity, ...opts.params });
    const numFeature = this.numFeature();
    if (ncol !== numFeature && !params.predict_disable_shape_check) {
      throw new RangeError(`The model has ${numFeature} features but the data has ${ncol} columns`);
    }
    const predictType = opts.rawScore ? C_API_PREDICT_RAW_SCORE : C_API_PREDICT_NORMAL;
    const start = opts.startIteration ?? 0;
    const num = opts.numIteration ?? this.bestIteration ?? -1;
    const size: [number] = [0];
    this.lib.check('LGBM_BoosterCalcNumPredict', this.lib.api.LGBM_BoosterCalcNumPredict(ptr, nrow, predictType, start, num, size));

    const result = new Float64Array(size[0]);
    const written: [number] = [0];
    const unpin = this.native.pin();
    this.asyncCalls++;
    try {
      await this.lib.callAsyncChecked('LGBM_BoosterPredictForMat', this.lib.api.LGBM_BoosterPredictForMat,
        ptr, rows, dtype, nrow, ncol, 1, predictType, start, num, formatParams(params), written, result);
    } finally {
      this.asyncCalls--;
      unpin();
    }
    this.lib.noteAsyncVerbosity(verbosityOf(params));
    return written[0] === result.length ? result : result.slice(0, written[0]);
  }

  /** The model as LightGBM's text format (loadable here, by the Python package, or the CLI). */
  saveModelToString(opts: SaveModelOptions = {}): string {
    const ptr = this.idle('saveModelToString');
    const start = opts.startIteration ?? 0;
    const num = opts.numIteration ?? this.bestIteration ?? -1;
    const importance = IMPORTANCE[opts.importanceType ?? 'split'];
    // First call with a guess; LightGBM reports the size it needs (with the trailing NUL) and copies only if it fits.
    let capacity = 1 << 20;
    for (;;) {
      const buf = Buffer.allocUnsafe(capacity);
      const needed: [number] = [0];
      this.lib.check('LGBM_BoosterSaveModelToString',
        this.lib.api.LGBM_BoosterSaveModelToString(ptr, start, num, importance, capacity, needed, buf));
      if (needed[0] <= capacity) return buf.toString('utf8', 0, needed[0] - 1);
      capacity = needed[0];
    }
  }

  /** Per-feature importance: number of splits, or total gain, using each feature. */
  featureImportance(type: ImportanceType = 'split', opts: { numIteration?: number } = {}): Float64Array {
    const code = IMPORTANCE[type];
    if (code === undefined) throw new TypeError(`importance type must be 'split' or 'gain', got ${String(type)}`);
    const values = new Float64Array(this.numFeature());
    const num = opts.numIteration ?? this.bestIteration ?? 0;
    this.lib.check('LGBM_BoosterFeatureImportance',
      this.lib.api.LGBM_BoosterFeatureImportance(this.idle('featureImportance'), num, code, values));
    return values;
  }

  get isFreed(): boolean {
    return this.native.freed;
  }

  /** Idempotent; later use throws. Native memory goes now, or when a pending async call returns. */
  free(): void {
    handleFinalizer.unregister(this);
    this.native.free();
  }

  /** The live handle, refusing calls that would wait on LightGBM's lock behind a pending iteration. */
  private idle(method: string, exclusive = false): bigint {
    const ptr = this.native.get();
    if (this.updating || (exclusive && this.asyncCalls > 0)) {
      throw new Error(`Booster is busy (${this.updating ? 'updateOneIter' : 'predict'} pending); await it before calling ${method}()`);
    }
    return ptr;
  }

  private totalModels(ptr: bigint): number {
    const out: [number] = [0];
    this.lib.check('LGBM_BoosterNumberOfTotalModel', this.lib.api.LGBM_BoosterNumberOfTotalModel(ptr, out));
    return out[0];
  }

  /**
   * UpdateOneIter failed on a pool thread, which holds LightGBM's error text. When the iteration left no tree
   * behind, repeating it synchronously is what a caller would do anyway, and yields the message here (or
   * succeeds, if the failure was transient). Otherwise the booster holds part of an iteration: give up on it.
   */
  private diagnoseFailedUpdate(ptr: bigint, modelsBefore: number, emptyTree: [number]): void {
    const name = 'LGBM_BoosterUpdateOneIter';
    if (this.totalModels(ptr) === modelsBefore) {
      this.lib.check(name, this.lib.api.LGBM_BoosterUpdateOneIter(ptr, emptyTree));
      return;
    }
    this.broken = 'an iteration failed after adding some of its trees';
    throw new LightgbmError(name, 'failed on a libuv pool thread after adding part of an iteration; LightGBM keeps ' +
      'its error text per thread, so it cannot be read here, and this booster cannot be trained further');
  }
}
