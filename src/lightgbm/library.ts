import * as fs from 'fs';
import * as koffi from 'koffi';
import type { KoffiFunc } from 'koffi';
import { LightgbmError } from './errors';
import { readWheelVersion, resolveLibraryPath } from './locate';
import { formatParams } from './params';

/** C API constants (include/LightGBM/c_api.h). */
export const C_API_DTYPE_FLOAT32 = 0;
export const C_API_DTYPE_FLOAT64 = 1;
export const C_API_DTYPE_INT32 = 2;
export const C_API_PREDICT_NORMAL = 0;
export const C_API_PREDICT_RAW_SCORE = 1;
export const C_API_FEATURE_IMPORTANCE_SPLIT = 0;
export const C_API_FEATURE_IMPORTANCE_GAIN = 1;

type Ptr = bigint;
/** `_Out_ T*` parameters are passed as one-element arrays that koffi fills in. */
type Out<T> = [T];
type Matrix = Float64Array | Float32Array;
type Rc = number;

/** The C functions used, with the signatures of LightGBM 4.x c_api.h. */
export interface LightgbmApi {
  LGBM_GetLastError: KoffiFunc<() => string>;
  LGBM_GetSampleCount: KoffiFunc<(numTotalRow: number, parameters: string, out: Out<number>) => Rc>;
  LGBM_DatasetCreateFromMat: KoffiFunc<
    (data: Matrix, dataType: number, nrow: number, ncol: number, isRowMajor: number, parameters: string,
     reference: Ptr | null, out: Out<Ptr | null>) => Rc>;
  LGBM_DatasetSetField: KoffiFunc<
    (handle: Ptr, fieldName: string, data: Float32Array | Float64Array | Int32Array, numElement: number, type: number) => Rc>;
  LGBM_DatasetSetFeatureNames: KoffiFunc<(handle: Ptr, names: string[], count: number) => Rc>;
  LGBM_DatasetGetNumData: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_DatasetGetNumFeature: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_DatasetFree: KoffiFunc<(handle: Ptr) => Rc>;
  LGBM_BoosterCreate: KoffiFunc<(train: Ptr, parameters: string, out: Out<Ptr | null>) => Rc>;
  LGBM_BoosterLoadModelFromString: KoffiFunc<
    (modelStr: Uint8Array, outNumIterations: Out<number>, out: Out<Ptr | null>) => Rc>;
  LGBM_BoosterFree: KoffiFunc<(handle: Ptr) => Rc>;
  LGBM_BoosterAddValidData: KoffiFunc<(handle: Ptr, valid: Ptr) => Rc>;
  LGBM_BoosterGetNumClasses: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_BoosterUpdateOneIter: KoffiFunc<(handle: Ptr, producedEmptyTree: Out<number>) => Rc>;
  LGBM_BoosterGetCurrentIteration: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_BoosterNumberOfTotalModel: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_BoosterGetEvalCounts: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_BoosterGetEvalNames: KoffiFunc<
    (handle: Ptr, len: number, outLen: Out<number>, bufferLen: number, outBufferLen: Out<number>,
     outStrs: BigUint64Array) => Rc>;
  LGBM_BoosterGetFeatureNames: KoffiFunc<
    (handle: Ptr, len: number, outLen: Out<number>, bufferLen: number, outBufferLen: Out<number>,
     outStrs: BigUint64Array) => Rc>;
  LGBM_BoosterGetNumFeature: KoffiFunc<(handle: Ptr, out: Out<number>) => Rc>;
  LGBM_BoosterGetEval: KoffiFunc<(handle: Ptr, dataIdx: number, outLen: Out<number>, out: Float64Array) => Rc>;
  LGBM_BoosterCalcNumPredict: KoffiFunc<
    (handle: Ptr, numRow: number, predictType: number, startIteration: number, numIteration: number,
     outLen: Out<number>) => Rc>;
  LGBM_BoosterPredictForMat: KoffiFunc<
    (handle: Ptr, data: Matrix, dataType: number, nrow: number, ncol: number, isRowMajor: number,
     predictType: number, startIteration: number, numIteration: number, parameter: string,
     outLen: Out<number>, out: Float64Array) => Rc>;
  LGBM_BoosterSaveModelToString: KoffiFunc<
    (handle: Ptr, startIteration: number, numIteration: number, featureImportanceType: number, bufferLen: number,
     outLen: Out<number>, out: Uint8Array) => Rc>;
  LGBM_BoosterFeatureImportance: KoffiFunc<
    (handle: Ptr, numIteration: number, importanceType: number, out: Float64Array) => Rc>;
}

const DATASET = 'LGBM_DatasetHandle';
const BOOSTER = 'LGBM_BoosterHandle';

const PROTOTYPES: Record<keyof LightgbmApi, string> = {
  LGBM_GetLastError: 'const char* LGBM_GetLastError()',
  LGBM_GetSampleCount: 'int LGBM_GetSampleCount(int32_t num_total_row, const char* parameters, _Out_ int* out)',
  LGBM_DatasetCreateFromMat:
    `int LGBM_DatasetCreateFromMat(const void* data, int data_type, int32_t nrow, int32_t ncol, int is_row_major, ` +
    `const char* parameters, ${DATASET} reference, _Out_ ${DATASET}* out)`,
  LGBM_DatasetSetField:
    `int LGBM_DatasetSetField(${DATASET} handle, const char* field_name, const void* field_data, int num_element, int type)`,
  LGBM_DatasetSetFeatureNames:
    `int LGBM_DatasetSetFeatureNames(${DATASET} handle, const char** feature_names, int num_feature_names)`,
  LGBM_DatasetGetNumData: `int LGBM_DatasetGetNumData(${DATASET} handle, _Out_ int* out)`,
  LGBM_DatasetGetNumFeature: `int LGBM_DatasetGetNumFeature(${DATASET} handle, _Out_ int* out)`,
  LGBM_DatasetFree: `int LGBM_DatasetFree(${DATASET} handle)`,
  LGBM_BoosterCreate: `int LGBM_BoosterCreate(${DATASET} train_data, const char* parameters, _Out_ ${BOOSTER}* out)`,
  LGBM_BoosterLoadModelFromString:
    `int LGBM_BoosterLoadModelFromString(const void* model_str, _Out_ int* out_num_iterations, _Out_ ${BOOSTER}* out)`,
  LGBM_BoosterFree: `int LGBM_BoosterFree(${BOOSTER} handle)`,
  LGBM_BoosterAddValidData: `int LGBM_BoosterAddValidData(${BOOSTER} handle, ${DATASET} valid_data)`,
  LGBM_BoosterGetNumClasses: `int LGBM_BoosterGetNumClasses(${BOOSTER} handle, _Out_ int* out_len)`,
  LGBM_BoosterUpdateOneIter: `int LGBM_BoosterUpdateOneIter(${BOOSTER} handle, _Out_ int* produced_empty_tree)`,
  LGBM_BoosterGetCurrentIteration: `int LGBM_BoosterGetCurrentIteration(${BOOSTER} handle, _Out_ int* out_iteration)`,
  LGBM_BoosterNumberOfTotalModel: `int LGBM_BoosterNumberOfTotalModel(${BOOSTER} handle, _Out_ int* out_models)`,
  LGBM_BoosterGetEvalCounts: `int LGBM_BoosterGetEvalCounts(${BOOSTER} handle, _Out_ int* out_len)`,
  // out_strs is char**: an array of pointers into a buffer we own (see readStringArray in booster.ts).
  LGBM_BoosterGetEvalNames:
    `int LGBM_BoosterGetEvalNames(${BOOSTER} handle, int len, _Out_ int* out_len, size_t buffer_len, ` +
    `_Out_ size_t* out_buffer_len, void* out_strs)`,
  LGBM_BoosterGetFeatureNames:
    `int LGBM_BoosterGetFeatureNames(${BOOSTER} handle, int len, _Out_ int* out_len, size_t buffer_len, ` +
    `_Out_ size_t* out_buffer_len, void* out_strs)`,
  LGBM_BoosterGetNumFeature: `int LGBM_BoosterGetNumFeature(${BOOSTER} handle, _Out_ int* out_len)`,
  LGBM_BoosterGetEval:
    `int LGBM_BoosterGetEval(${BOOSTER} handle, int data_idx, _Out_ int* out_len, double* out_results)`,
  LGBM_BoosterCalcNumPredict:
    `int LGBM_BoosterCalcNumPredict(${BOOSTER} handle, int num_row, int predict_type, int start_iteration, ` +
    `int num_iteration, _Out_ int64_t* out_len)`,
  LGBM_BoosterPredictForMat:
    `int LGBM_BoosterPredictForMat(${BOOSTER} handle, const void* data, int data_type, int32_t nrow, int32_t ncol, ` +
    `int is_row_major, int predict_type, int start_iteration, int num_iteration, const char* parameter, ` +
    `_Out_ int64_t* out_len, double* out_result)`,
  LGBM_BoosterSaveModelToString:
    `int LGBM_BoosterSaveModelToString(${BOOSTER} handle, int start_iteration, int num_iteration, ` +
    `int feature_importance_type, int64_t buffer_len, _Out_ int64_t* out_len, void* out_str)`,
  LGBM_BoosterFeatureImportance:
    `int LGBM_BoosterFeatureImportance(${BOOSTER} handle, int num_iteration, int importance_type, double* out_results)`,
};

/** Named opaque handle types, declared once per koffi instance (a second declaration would be rejected). */
function declareHandleType(name: string): void {
  try {
    koffi.type(name);
  } catch {
    koffi.pointer(name, koffi.opaque());
  }
}

/**
 * koffi runs native code on its own stacks: async calls get 128 KiB by default. LightGBM's training code has
 * been fine with that, but give it headroom. Only possible before koffi loads its first library; if another
 * module already did, the current setting stays.
 */
function widenAsyncStack(): void {
  const wanted = 2 * 1024 * 1024;
  try {
    if ((koffi.config().async_stack_size ?? 0) < wanted) koffi.config({ async_stack_size: wanted });
  } catch {
    // a library was loaded already: keep koffi's configuration as it is
  }
}

/** libuv runs koffi's async calls on its thread pool ($UV_THREADPOOL_SIZE threads, 4 by default). */
function threadPoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * A loaded lib_lightgbm.so with its C functions. Obtain through loadLightgbm().
 *
 * Threading: the long calls run on libuv's thread pool through koffi's `fn.async`. LightGBM keeps its last
 * error message and its log level per OS thread, so (a) failures of async calls are diagnosed by repeating the
 * call synchronously where that is safe (see Dataset.fromMatrix, Booster.predict, Booster.updateOneIter), and
 * (b) the pool threads' log level is set before training (primeWorkerThreads).
 */
export class LightgbmLibrary {
  /** @internal typed C functions */
  readonly api: LightgbmApi;
  /** lightgbm wheel version (VERSION.txt beside lib/), undefined when the library is not inside a wheel. */
  readonly version: string | undefined;
  private primedVerbosity: number | undefined;

  constructor(readonly path: string) {
    widenAsyncStack();
    const lib = koffi.load(path);
    declareHandleType(DATASET);
    declareHandleType(BOOSTER);
    const api: Partial<Record<keyof LightgbmApi, unknown>> = {};
    for (const [name, proto] of Object.entries(PROTOTYPES)) api[name as keyof LightgbmApi] = lib.func(proto);
    this.api = api as LightgbmApi;
    this.version = readWheelVersion(path);
  }

  /** LightGBM's message for the last failed call made on this (the event-loop) thread. */
  lastError(): string {
    return this.api.LGBM_GetLastError().trim();
  }

  /** Throws LightgbmError with LightGBM's message unless rc is 0. Call right after a synchronous call. */
  check(functionName: string, rc: number): void {
    if (rc !== 0) throw new LightgbmError(functionName, this.lastError());
  }

  /**
   * Runs `fn` on libuv's thread pool. The arguments (typed arrays included) stay referenced by this closure
   * until koffi calls back, so the memory LightGBM reads and writes cannot be collected meanwhile.
   */
  callAsync<T extends (...args: never[]) => Rc>(fn: KoffiFunc<T>, ...args: Parameters<T>): Promise<Rc> {
    return new Promise<Rc>((resolve, reject) => {
      const call = fn.async as (...a: unknown[]) => void;
      call(...args, (err: unknown, rc: Rc) => (err ? reject(err) : resolve(rc)));
    });
  }

  /**
   * Async call of a function that is deterministic and has no side effect when it fails. On failure the call
   * is repeated synchronously on this thread, because LightGBM's error text stays on the pool thread that
   * failed; the retry's result (usually the same error, now with its message) is what counts.
   */
  async callAsyncChecked<T extends (...args: never[]) => Rc>(
    functionName: string,
    fn: KoffiFunc<T>,
    ...args: Parameters<T>
  ): Promise<void> {
    const rc = await this.callAsync(fn, ...args);
    if (rc === 0) return;
    this.check(functionName, (fn as (...a: Parameters<T>) => Rc)(...args));
  }

  /**
   * @internal Reads a `char**` result (GetEvalNames / GetFeatureNames) of `count` strings: the pointers point
   * into one buffer owned here, which is grown and the call repeated when LightGBM reports longer strings.
   */
  readStrings(
    functionName: string,
    fn: LightgbmApi['LGBM_BoosterGetEvalNames'],
    handle: bigint,
    count: number,
  ): string[] {
    if (count === 0) return [];
    let bufferLen = 256;
    for (;;) {
      const buf = Buffer.alloc(count * bufferLen);
      const base = BigInt(koffi.address(buf));
      const pointers = new BigUint64Array(count);
      for (let i = 0; i < count; i++) pointers[i] = base + BigInt(i * bufferLen);
      const outLen: Out<number> = [0];
      const needed: Out<number> = [0];
      this.check(functionName, fn(handle, count, outLen, bufferLen, needed, pointers));
      if (needed[0] > bufferLen) {
        bufferLen = needed[0];
        continue;
      }
      const strings: string[] = [];
      for (let i = 0; i < Math.min(outLen[0], count); i++) {
        const start = i * bufferLen;
        const nul = buf.indexOf(0, start);
        strings.push(buf.toString('utf8', start, nul < 0 || nul > start + bufferLen ? start + bufferLen : nul));
      }
      return strings;
    }
  }

  /** Records that an async call ran with these parameters (it set its pool thread's log level). */
  noteAsyncVerbosity(verbosity: number): void {
    if (verbosity !== this.primedVerbosity) this.primedVerbosity = undefined;
  }

  /**
   * Sets LightGBM's (thread-local) log level on the pool threads, so that calls without a parameter string
   * (UpdateOneIter) log as the caller asked. libuv hands idle threads work in turn, so twice the pool size of
   * tiny calls reaches every thread in practice; this is best effort and only affects what LightGBM prints.
   */
  async primeWorkerThreads(verbosity: number): Promise<void> {
    if (this.primedVerbosity === verbosity) return;
    const params = formatParams({ verbosity });
    const out: Out<number> = [0];
    for (let i = 0; i < 2 * threadPoolSize(); i++) {
      await this.callAsync(this.api.LGBM_GetSampleCount, 1, params, out);
    }
    this.primedVerbosity = verbosity;
  }
}

const loaded = new Map<string, LightgbmLibrary>();

/**
 * Loads lib_lightgbm.so (cached per real path). Resolution: `explicitPath`, then $LIGHTGBM_LIB, then the
 * lightgbm wheel in `<projectRoot>/.venv` (installed by scripts/setup.sh).
 */
export function loadLightgbm(explicitPath?: string): LightgbmLibrary {
  const file = fs.realpathSync(resolveLibraryPath(explicitPath));
  let lib = loaded.get(file);
  if (!lib) {
    lib = new LightgbmLibrary(file);
    loaded.set(file, lib);
  }
  return lib;
}

/** The LightGBM version (the C API has no version call; read from the wheel's VERSION.txt). */
export function lightgbmVersion(lib: LightgbmLibrary = loadLightgbm()): string | undefined {
  return lib.version;
}
