import { handleFinalizer, NativeHandle } from './handle';
import { addressOf, C_API_DTYPE_FLOAT32, C_API_DTYPE_INT32, out, type LightgbmLibrary } from './library';
import { checkMatrix, toFloat32, type MatrixData } from './matrix';
import { formatParams, verbosityOf, withDefaultVerbosity, type Params } from './params';

export interface DatasetOptions {
  /** Dataset parameters (max_bin, min_data_in_bin, ...). Pass the training params, as the Python package does. */
  params?: Params;
  /** Training dataset whose bin boundaries a validation dataset must share. */
  reference?: Dataset;
  /** One name per column. */
  featureNames?: readonly string[];
  /** Per-row weights. */
  weight?: ArrayLike<number>;
  /** Query sizes for ranking objectives (sum = nrow). */
  group?: ArrayLike<number>;
}

/** A LightGBM Dataset (binned training or validation data). Free it with free() once no longer needed. */
export class Dataset {
  /** @internal */
  readonly native: NativeHandle;

  private constructor(
    readonly lib: LightgbmLibrary,
    ptr: bigint,
    /** The parameters it was built with (with verbosity defaulted to -1). */
    readonly params: Params,
  ) {
    this.native = new NativeHandle(ptr, 'LightGBM Dataset', (p) => void lib.invoke('LGBM_DatasetFree', [p]));
    handleFinalizer.register(this, this.native, this);
  }

  /**
   * Builds a dataset from a dense row-major matrix. Binning runs on the library's LightGBM worker thread; `rows` must not be
   * modified until the promise settles. Labels are converted to float32, as LightGBM stores them.
   */
  static async fromMatrix(
    lib: LightgbmLibrary,
    rows: MatrixData,
    nrow: number,
    ncol: number,
    labels: Float32Array | ArrayLike<number>,
    opts: DatasetOptions = {},
  ): Promise<Dataset> {
    const dtype = checkMatrix(rows, nrow, ncol);
    const label = toFloat32(labels, 'labels', nrow);
    const weight = opts.weight === undefined ? undefined : toFloat32(opts.weight, 'weight', nrow);
    const group = opts.group === undefined ? undefined : Int32Array.from(opts.group);
    if (opts.featureNames !== undefined && opts.featureNames.length !== ncol) {
      throw new RangeError(`featureNames has ${opts.featureNames.length} names, expected ncol = ${ncol}`);
    }
    if (opts.reference !== undefined && opts.reference.lib !== lib) {
      throw new Error('reference dataset belongs to another LightGBM library instance');
    }
    const params = withDefaultVerbosity(opts.params ?? {});
    const paramText = formatParams(params);

    const unpinReference = opts.reference?.native.pin();
    let handle: bigint | null;
    try {
      const reference = opts.reference?.native.get() ?? null;
      [handle] = (await lib.invokeAsync('LGBM_DatasetCreateFromMat',
        [addressOf(rows), dtype, nrow, ncol, 1, paramText, reference, out(null)], rows)) as [bigint | null];
    } finally {
      unpinReference?.();
    }
    lib.noteVerbosity(verbosityOf(params));
    if (handle === null) throw new Error('LGBM_DatasetCreateFromMat returned no handle');

    const dataset = new Dataset(lib, handle, params);
    try {
      dataset.setField('label', label, C_API_DTYPE_FLOAT32);
      if (weight) dataset.setField('weight', weight, C_API_DTYPE_FLOAT32);
      if (group) dataset.setField('group', group, C_API_DTYPE_INT32);
      if (opts.featureNames) {
        const names = [...opts.featureNames];
        lib.invoke('LGBM_DatasetSetFeatureNames', [dataset.native.get(), names, names.length]);
      }
    } catch (err) {
      dataset.free();
      throw err;
    }
    return dataset;
  }

  numData(): number {
    return this.lib.invoke('LGBM_DatasetGetNumData', [this.native.get(), out()])[0] as number;
  }

  numFeature(): number {
    return this.lib.invoke('LGBM_DatasetGetNumFeature', [this.native.get(), out()])[0] as number;
  }

  get isFreed(): boolean {
    return this.native.freed;
  }

  /**
   * Idempotent; any later use of this object throws. The native memory goes now, or, while a Booster still
   * trains on it, when that booster is freed.
   */
  free(): void {
    handleFinalizer.unregister(this);
    this.native.free();
  }

  private setField(name: string, data: Float32Array | Int32Array, type: number): void {
    this.lib.invoke('LGBM_DatasetSetField', [this.native.get(), name, data, data.length, type]);
  }
}
