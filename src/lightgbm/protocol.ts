/**
 * Messages between a LightgbmLibrary (any thread) and its LightGBM worker thread (worker.ts), which makes
 * every C call of that library instance, one at a time and in the order they were sent.
 */

/** An argument of a C call, as it travels to the worker. */
export type WireArg =
  | number
  | bigint
  | string
  | null
  | readonly string[]
  | Float32Array
  | Int32Array
  | Uint8Array
  | OutArg
  | AllocArg
  | AddressArg
  | StringsArg;

/** `_Out_ T*`: the worker passes a one-element array and returns the value LightGBM wrote. */
export interface OutArg {
  kind: 'out';
  init: number | null;
}

/** An output buffer (`double*` results, `char*` text) allocated by the worker and returned (transferred). */
export interface AllocArg {
  kind: 'alloc';
  type: 'f64' | 'u8';
  length: number;
}

/**
 * A pointer to the caller's memory (a typed array's backing store, koffi.address). The caller keeps the array
 * referenced, and leaves it alone, until the reply arrives; the worker's prototype declares it `uintptr_t`.
 */
export interface AddressArg {
  kind: 'address';
  address: bigint;
}

/** A `char**` result (GetEvalNames, GetFeatureNames): `count` slots of `bufferLen` bytes, returned as strings. */
export interface StringsArg {
  kind: 'strings';
  count: number;
  bufferLen: number;
}

export interface CallRequest {
  id: number;
  /** The reply goes to the sync port (with the shared flag raised) instead of the worker's parent port. */
  sync: boolean;
  fn: string;
  args: WireArg[];
}

export interface CallReply {
  id: number;
  /** The C function's return code (0 = success); absent when `fault` is set. */
  rc?: number;
  /** LGBM_GetLastError(), read in the worker right after a failed call. */
  error?: string;
  /** One value per out / alloc / strings argument, in argument order. */
  outs: unknown[];
  /** A JavaScript-side failure in the worker (library failed to load, argument conversion, ...). */
  fault?: string;
  /** worker_threads threadId of the thread that made the call. */
  thread: number;
}

/** @internal Test hook: the worker thread exits with `code` when it reaches this message. */
export interface ExitRequest {
  exit: number;
}

/** Indexes of the shared Int32Array between a library and its worker thread. */
export const FLAG_REPLY = 0;
export const FLAG_DEAD = 1;

export interface WorkerInit {
  libraryPath: string;
  /**
   * Int32Array of 2: the worker sets [FLAG_REPLY] to 1 and notifies after posting a sync reply, and sets
   * [FLAG_DEAD] to 1 (and notifies [FLAG_REPLY]) when its thread exits, so a caller blocked in a synchronous
   * call learns of the death instead of waiting forever (its event loop, which would see 'exit', is blocked).
   */
  flag: SharedArrayBuffer;
}

export function isSpecialArg(arg: WireArg): arg is OutArg | AllocArg | AddressArg | StringsArg {
  return typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !ArrayBuffer.isView(arg);
}
