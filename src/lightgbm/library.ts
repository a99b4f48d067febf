import * as fs from 'fs';
import * as koffi from 'koffi';
import type { KoffiFunc } from 'koffi';
import * as nodePath from 'path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'worker_threads';
import { LightgbmError, LightgbmWorkerDiedError } from './errors';
import { readWheelVersion, resolveLibraryPath } from './locate';
import { formatParams } from './params';
import { FLAG_DEAD, FLAG_REPLY, type AddressArg, type AllocArg, type CallReply, type CallRequest, type ExitRequest, type OutArg, type StringsArg, type WireArg, type WorkerInit } from './protocol';

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

/** Prototypes of the worker thread: matrices travel as addresses into the caller's typed arrays (not copied). */
export const WORKER_PROTOTYPES: Record<keyof LightgbmApi, string> = {
  ...PROTOTYPES,
  LGBM_DatasetCreateFromMat: PROTOTYPES.LGBM_DatasetCreateFromMat.replace('const void* data', 'uintptr_t data'),
  LGBM_BoosterPredictForMat: PROTOTYPES.LGBM_BoosterPredictForMat.replace('const void* data', 'uintptr_t data'),
};

/** Named opaque handle types, declared once per koffi instance (a second declaration would be rejected). */
function declareHandleType(name: string): void {
  try {
    koffi.type(name);
  } catch {
    koffi.pointer(name, koffi.opaque());
  }
}

/** @internal Loads the library in the calling thread and binds the functions with these prototypes. */
export function bindApi(path: string, prototypes: Record<keyof LightgbmApi, string> = PROTOTYPES): LightgbmApi {
  const lib = koffi.load(path);
  declareHandleType(DATASET);
  declareHandleType(BOOSTER);
  const api: Partial<Record<keyof LightgbmApi, unknown>> = {};
  for (const [name, proto] of Object.entries(prototypes)) api[name as keyof LightgbmApi] = lib.func(proto);
  return api as LightgbmApi;
}

/** `_Out_` argument: the call's result (see WireArg). */
export const out = (init: number | null = 0): OutArg => ({ kind: 'out', init });
/** Output buffer allocated and returned by the worker. */
export const alloc = (type: AllocArg['type'], length: number): AllocArg => ({ kind: 'alloc', type, length });
/** `char**` result of `count` strings of up to `bufferLen` bytes. */
export const strings = (count: number, bufferLen: number): StringsArg => ({ kind: 'strings', count, bufferLen });
/** The address of a typed array's memory (moved off the V8 heap first, so that it cannot move). */
export function addressOf(array: Float64Array | Float32Array): AddressArg {
  void array.buffer; // materializes an on-heap typed array's backing store; off-heap stores never move
  return { kind: 'address', address: BigInt(koffi.address(array)) };
}

interface Pending {
  fn: string;
  resolve(outs: unknown[]): void;
  reject(err: Error): void;
  /** What must stay reachable (typed arrays passed by address) until the reply. */
  keep: unknown;
}

/** Where the LightGBM calls of a library ran: `threads` are worker_threads threadIds (one expected). */
export interface NativeCallStats {
  calls: number;
  threads: number[];
}

/**
 * A loaded lib_lightgbm.so. Obtain through loadLightgbm().
 *
 * Threading: every LightGBM call of the binding (Dataset, Booster, train) runs synchronously on ONE worker
 * thread per library instance, in the order the calls were made. libgomp gives every OS thread that calls
 * into OpenMP code its own thread team, so calls spread over several threads would oversubscribe the cores;
 * one calling thread behaves like LightGBM's Python package. The long calls (dataset construction,
 * updateOneIter, predict) are awaited, so the event loop keeps turning; the short ones block this thread until
 * the worker replies (Atomics.wait), which also means they wait for any long call queued before them.
 * LightGBM's per-thread state (last error, log level) is thus always the worker's: errors carry its exact text.
 */
export class LightgbmLibrary {
  /** lightgbm wheel version (VERSION.txt beside lib/), undefined when the library is not inside a wheel. */
  readonly version: string | undefined;
  private directApi: LightgbmApi | undefined;
  private worker: Worker | undefined;
  private syncPort: MessagePort | undefined;
  /** Shared with the current worker thread (FLAG_REPLY, FLAG_DEAD); a new thread gets a new one. */
  private flag = new Int32Array(new SharedArrayBuffer(8));
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private workerVerbosity: number | undefined;
  private readonly stats = { calls: 0, threads: new Set<number>() };

  constructor(readonly path: string) {
    this.directApi = bindApi(path); // fails fast on a file that is not a loadable library
    this.version = readWheelVersion(path);
  }

  /**
   * @internal The C functions bound for direct calls on the calling thread, bypassing the worker (diagnostics
   * such as bench/lightgbm/one-thread.ts). The binding itself never uses them.
   */
  get api(): LightgbmApi {
    this.directApi ??= bindApi(this.path);
    return this.directApi;
  }

  /** LightGBM's message for the last failed direct (`api`) call made on the calling thread. */
  lastError(): string {
    return this.api.LGBM_GetLastError().trim();
  }

  /** Throws LightgbmError with LightGBM's message unless rc is 0. For direct `api` calls only. */
  check(functionName: string, rc: number): void {
    if (rc !== 0) throw new LightgbmError(functionName, this.lastError());
  }

  /** @internal How many calls the worker made, and from which threads (for tests). */
  nativeCallStats(): NativeCallStats {
    return { calls: this.stats.calls, threads: [...this.stats.threads] };
  }

  /**
   * @internal Runs `fn` on the worker and blocks until it returns; the values of its out / alloc / strings
   * arguments, in order. Throws LightgbmError with LightGBM's message when it returns non-zero.
   */
  invoke(fn: keyof LightgbmApi, args: WireArg[]): unknown[] {
    const worker = this.ensureWorker();
    const syncPort = this.syncPort as MessagePort;
    const flag = this.flag;
    const req: CallRequest = { id: this.nextId++, sync: true, fn, args };
    Atomics.store(flag, FLAG_REPLY, 0);
    worker.postMessage(req);
    // Liveness: the thread raises FLAG_DEAD as it exits, so a dead thread fails this call instead of hanging it.
    while (Atomics.load(flag, FLAG_REPLY) === 0 && Atomics.load(flag, FLAG_DEAD) === 0) Atomics.wait(flag, FLAG_REPLY, 0, 1000);
    const received = receiveMessageOnPort(syncPort);
    if (!received) {
      const err = new LightgbmWorkerDiedError(`The LightGBM worker thread died before it answered ${fn}; the next call starts a new thread`);
      this.workerGone(worker, err);
      throw err;
    }
    return this.settle(received.message as CallReply, fn);
  }

  /**
   * @internal Runs `fn` on the worker without blocking this thread. Typed arrays passed by address
   * (addressOf) must be listed in `keep`, which stays referenced until the reply.
   */
  invokeAsync(fn: keyof LightgbmApi, args: WireArg[], keep?: unknown): Promise<unknown[]> {
    const worker = this.ensureWorker();
    const req: CallRequest = { id: this.nextId++, sync: false, fn, args };
    return new Promise<unknown[]>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref(); // a pending call keeps the process alive
      this.pending.set(req.id, { fn, resolve, reject, keep });
      worker.postMessage(req);
    });
  }

  /** @internal Records that a call with these parameters set the worker's (thread-local) log level. */
  noteVerbosity(verbosity: number): void {
    this.workerVerbosity = verbosity;
  }

  /**
   * @internal Sets LightGBM's log level on the worker, so that calls without a parameter string
   * (UpdateOneIter) log as the caller asked.
   */
  async setVerbosity(verbosity: number): Promise<void> {
    if (this.workerVerbosity === verbosity) return;
    this.workerVerbosity = verbosity;
    await this.invokeAsync('LGBM_GetSampleCount', [1, formatParams({ verbosity }), out()]);
  }

  private settle(reply: CallReply, fn: string): unknown[] {
    this.stats.calls++;
    this.stats.threads.add(reply.thread);
    if (reply.fault !== undefined) throw new Error(`${fn}: ${reply.fault}`);
    if (reply.rc !== 0) {
      this.workerVerbosity = undefined; // a failed call may have parsed (part of) its parameters
      throw new LightgbmError(fn, reply.error ?? '');
    }
    return reply.outs;
  }

  /** @internal Test hook: the worker thread exits with `code` once it reaches this message (after calls sent before it). */
  exitWorkerForTest(code = 1): void {
    const req: ExitRequest = { exit: code };
    this.worker?.postMessage(req);
  }

  /** @internal Test hook: terminates the worker thread now (a call in progress finishes its C code first). */
  async terminateWorkerForTest(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Fails every call waiting on `worker` and forgets it, so the next call starts a fresh thread. */
  private workerGone(worker: Worker, err: Error): void {
    if (this.worker !== worker) return; // already replaced
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
    this.worker = undefined;
    this.syncPort?.close();
    this.syncPort = undefined;
    this.workerVerbosity = undefined; // the log level was the dead thread's
    void worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const { port1, port2 } = new MessageChannel();
    this.flag = new Int32Array(new SharedArrayBuffer(8));
    const init: WorkerInit & { syncPort: MessagePort } = { libraryPath: this.path, flag: this.flag.buffer as SharedArrayBuffer, syncPort: port2 };
    const worker = new Worker(nodePath.join(__dirname, 'worker.js'), { workerData: init, transferList: [port2] });
    port1.unref();
    worker.on('message', (reply: CallReply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      try {
        call.resolve(this.settle(reply, call.fn));
      } catch (err) {
        call.reject(err as Error);
      }
    });
    const fail = (why: string) =>
      this.workerGone(worker, new LightgbmWorkerDiedError(`The LightGBM worker thread died (${why}) with this call pending; the next call starts a new thread`));
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker's port again, which kept a process that
    // made only synchronous calls alive. An idle thread never keeps the process alive; a pending call refs it.
    worker.unref();
    this.worker = worker;
    this.syncPort = port1;
    return worker;
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
