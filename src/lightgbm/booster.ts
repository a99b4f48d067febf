import type { Dataset } from './dataset';
import { handleFinalizer, NativeHandle } from './handle';
import {
  addressOf,
  alloc,
  C_API_FEATURE_IMPORTANCE_GAIN,
  C_API_FEATURE_IMPORTANCE_SPLIT,
  C_API_PREDICT_NORMAL,
  C_API_PREDICT_RAW_SCORE,
  out,
  strings,
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
 * A LightGBM Booster. Free it with free(). While updateOneIter() is pending, other calls throw (they would
 * wait on the worker behind the iteration, which here would mean blocking the event loop); free() is deferred.
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
        lib.invoke('LGBM_BoosterFree', [p]);
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
    const paramText = formatParams(effective);
    const [handle] = lib.invoke('LGBM_BoosterCreate', [train.native.get(), paramText, out(null)]) as [bigint | null];
    lib.noteVerbosity(verbosityOf(effective));
    if (handle === null) throw new Error('LGBM_BoosterCreate returned no handle');
    return new Booster(lib, handle, effective, train);
  }

  /** A booster from LightGBM's model text (saveModelToString, Python's model_to_string, model.txt files). */
  static loadModelFromString(lib: LightgbmLibrary, text: string): Booster {
    if (text.includes('\0')) throw new TypeError('model text contains a NUL character');
    const bytes = Buffer.byteLength(text, 'utf8');
    const cText = Buffer.alloc(bytes + 1);
    cText.write(text, 0, bytes, 'utf8');
    const [, handle] = lib.invoke('LGBM_BoosterLoadModelFromString', [cText, out(), out(null)]) as [number, bigint | null];
    if (handle === null) throw new Error('LGBM_BoosterLoadModelFromString returned no handle');
    return new Booster(lib, handle, {}, undefined);
  }

  /** Adds a validation set (built with `reference` = the training dataset); its data index is its order, from 1. */
  addValidData(dataset: Dataset): void {
    const ptr = this.idle('addValidData', true);
    if (dataset.lib !== this.lib) throw new Error('dataset belongs to another LightGBM library instance');
    const unpin = dataset.native.pin();
    try {
      this.lib.invoke('LGBM_BoosterAddValidData', [ptr, dataset.native.get()]);
    } catch (err) {
      unpin();
      throw err;
    }
    this.datasetPins.push(unpin);
    this.validSets.push(dataset);
  }

  /**
   * One boosting iteration, run on the library's LightGBM worker thread. Resolves true when LightGBM produced an empty tree
   * (no split met the requirements: training has converged and the iteration was not added).
   */
  async updateOneIter(): Promise<boolean> {
    if (!this.trainSet) throw new Error('This booster has no training data (it was loaded from a model string)');
    const ptr = this.idle('updateOneIter', true);
    const unpin = this.native.pin(); // a free() from now on waits for this iteration to finish
    this.updating = true;
    try {
      await this.lib.setVerbosity(this.verbosity);
      const [emptyTree] = await this.lib.invokeAsync('LGBM_BoosterUpdateOneIter', [ptr, out()]);
      return emptyTree === 1;
    } finally {
      this.updating = false;
      unpin();
    }
  }

  /** Metric names, in the order of getEval()'s values (e.g. ['l2', 'l1'], ['auc'], ['ndcg@1', 'ndcg@3']). */
  evalNames(): string[] {
    const ptr = this.idle('evalNames');
    if (!this.evalNamesCache) {
      const [count] = this.lib.invoke('LGBM_BoosterGetEvalCounts', [ptr, out()]) as [number];
      this.evalNamesCache = this.readStrings('LGBM_BoosterGetEvalNames', ptr, count);
    }
    return [...this.evalNamesCache];
  }

  /**
   * Current metric values on data `dataIdx`: 0 = training data, 1 = first validation set, ... Awaited rather than
   * blocking: called twice per iteration, and the library's one LightGBM thread may be busy with another
   * training's iteration, which a blocking call would wait out with the event loop stopped.
   */
  async getEval(dataIdx: number): Promise<number[]> {
    const names = this.evalNames();
    const ptr = this.idle('getEval');
    if (!Number.isInteger(dataIdx) || dataIdx < 0 || dataIdx > this.validSets.length || (dataIdx === 0 && !this.trainSet)) {
      throw new RangeError(`No dataset with index ${dataIdx} (training data: ${this.trainSet ? 'yes' : 'no'}, validation sets: ${this.validSets.length})`);
    }
    const unpin = this.native.pin(); // a free() meanwhile waits for the answer
    try {
      const [outLen, values] = (await this.lib.invokeAsync('LGBM_BoosterGetEval', [ptr, dataIdx, out(), alloc('f64', names.length)])) as [number, Float64Array];
      return Array.from(values.subarray(0, outLen));
    } finally {
      unpin();
    }
  }

  /** Number of completed boosting iterations. */
  currentIteration(): number {
    return this.lib.invoke('LGBM_BoosterGetCurrentIteration', [this.idle('currentIteration'), out()])[0] as number;
  }

  numFeature(): number {
    return this.lib.invoke('LGBM_BoosterGetNumFeature', [this.idle('numFeature'), out()])[0] as number;
  }

  numClasses(): number {
    return this.lib.invoke('LGBM_BoosterGetNumClasses', [this.idle('numClasses'), out()])[0] as number;
  }

  featureNames(): string[] {
    return this.readStrings('LGBM_BoosterGetFeatureNames', this.idle('featureNames'), this.numFeature());
  }

  /**
   * Predictions for a dense row-major matrix, computed on the library's LightGBM worker thread (`rows` must not be modified
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
    const [size] = this.lib.invoke('LGBM_BoosterCalcNumPredict', [ptr, nrow, predictType, start, num, out()]) as [number];

    const unpin = this.native.pin();
    this.asyncCalls++;
    let written: number;
    let result: Float64Array;
    try {
      [written, result] = (await this.lib.invokeAsync('LGBM_BoosterPredictForMat',
        [ptr, addressOf(rows), dtype, nrow, ncol, 1, predictType, start, num, formatParams(params), out(), alloc('f64', size)],
        rows)) as [number, Float64Array];
    } finally {
      this.asyncCalls--;
      unpin();
    }
    this.lib.noteVerbosity(verbosityOf(params));
    return written === result.length ? result : result.slice(0, written);
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
      const [needed, buf] = this.lib.invoke('LGBM_BoosterSaveModelToString',
        [ptr, start, num, importance, capacity, out(), alloc('u8', capacity)]) as [number, Uint8Array];
      if (needed <= capacity) return Buffer.from(buf.buffer, buf.byteOffset, needed - 1).toString('utf8');
      capacity = needed;
    }
  }

  /** Per-feature importance: number of splits, or total gain, using each feature. */
  featureImportance(type: ImportanceType = 'split', opts: { numIteration?: number } = {}): Float64Array {
    const code = IMPORTANCE[type];
    if (code === undefined) throw new TypeError(`importance type must be 'split' or 'gain', got ${String(type)}`);
    const length = this.numFeature();
    const num = opts.numIteration ?? this.bestIteration ?? 0;
    const [values] = this.lib.invoke('LGBM_BoosterFeatureImportance', [this.idle('featureImportance'), num, code, alloc('f64', length)]);
    return values as Float64Array;
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

  /**
   * A `char**` result (GetEvalNames / GetFeatureNames) of `count` strings, read into slots of a guessed size;
   * the call is repeated with larger slots when LightGBM reports longer strings.
   */
  private readStrings(functionName: 'LGBM_BoosterGetEvalNames' | 'LGBM_BoosterGetFeatureNames', ptr: bigint, count: number): string[] {
    if (count === 0) return [];
    let bufferLen = 256;
    for (;;) {
      const [outLen, needed, names] = this.lib.invoke(functionName, [ptr, count, out(), bufferLen, out(), strings(count, bufferLen)]) as
        [number, number, string[]];
      if (needed <= bufferLen) return names.slice(0, Math.min(outLen, count));
      bufferLen = needed;
    }
  }
}
