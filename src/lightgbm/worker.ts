/**
 * The LightGBM worker thread of one LightgbmLibrary: loads the same lib_lightgbm.so and makes every C call of
 * that library synchronously here, in arrival order. One OS thread calling LightGBM means one OpenMP thread
 * team (libgomp creates one per calling thread), as in LightGBM's Python package, and LightGBM's per-thread
 * state (last error, log level) is always this thread's.
 */
import * as koffi from 'koffi';
import { parentPort, threadId, workerData, type MessagePort } from 'worker_threads';
import { bindApi, WORKER_PROTOTYPES } from './library';
import { FLAG_DEAD, FLAG_REPLY, isSpecialArg, type CallReply, type CallRequest, type ExitRequest, type WorkerInit } from './protocol';

type AnyFunc = (...args: unknown[]) => number;

function readStrings(buf: Buffer, count: number, bufferLen: number): string[] {
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * bufferLen;
    const nul = buf.indexOf(0, start);
    strings.push(buf.toString('utf8', start, nul < 0 || nul > start + bufferLen ? start + bufferLen : nul));
  }
  return strings;
}

function serve(port: MessagePort, init: WorkerInit & { syncPort: MessagePort }): void {
  const flag = new Int32Array(init.flag);
  process.on('exit', () => {
    Atomics.store(flag, FLAG_DEAD, 1);
    Atomics.notify(flag, FLAG_REPLY);
  });
  let api: Record<string, AnyFunc> | undefined;
  let loadError: string | undefined;
  try {
    api = bindApi(init.libraryPath, WORKER_PROTOTYPES) as unknown as Record<string, AnyFunc>;
  } catch (err) {
    loadError = `cannot load ${init.libraryPath} in the LightGBM worker: ${(err as Error).message}`;
  }

  const call = (req: CallRequest): { reply: CallReply; transfer: ArrayBuffer[] } => {
    const transfer: ArrayBuffer[] = [];
    if (!api) return { reply: { id: req.id, outs: [], fault: loadError, thread: threadId }, transfer };
    const fn = api[req.fn];
    if (!fn) return { reply: { id: req.id, outs: [], fault: `unknown LightGBM function ${req.fn}`, thread: threadId }, transfer };
    const collect: Array<() => unknown> = [];
    const args = req.args.map((arg) => {
      if (!isSpecialArg(arg)) return arg;
      switch (arg.kind) {
        case 'out': {
          const box: [unknown] = [arg.init];
          collect.push(() => box[0]);
          return box;
        }
        case 'alloc': {
          const array = arg.type === 'f64' ? new Float64Array(arg.length) : new Uint8Array(arg.length);
          collect.push(() => {
            transfer.push(array.buffer as ArrayBuffer);
            return array;
          });
          return array;
        }
        case 'address':
          return arg.address;
        case 'strings': {
          const buf = Buffer.alloc(arg.count * arg.bufferLen);
          const base = BigInt(koffi.address(buf));
          const pointers = new BigUint64Array(arg.count);
          for (let i = 0; i < arg.count; i++) pointers[i] = base + BigInt(i * arg.bufferLen);
          collect.push(() => readStrings(buf, arg.count, arg.bufferLen));
          return pointers;
        }
      }
    });
    const rc = fn(...args);
    const reply: CallReply = { id: req.id, rc, outs: [], thread: threadId };
    if (rc !== 0) reply.error = (api.LGBM_GetLastError as unknown as () => string)().trim();
    else reply.outs = collect.map((get) => get());
    return { reply, transfer };
  };

  port.on('message', (req: CallRequest | ExitRequest) => {
    if ('exit' in req) process.exit(req.exit);
    let result: { reply: CallReply; transfer: ArrayBuffer[] };
    try {
      result = call(req);
    } catch (err) {
      result = { reply: { id: req.id, outs: [], fault: (err as Error).message ?? String(err), thread: threadId }, transfer: [] };
    }
    if (req.sync) {
      init.syncPort.postMessage(result.reply, result.transfer);
      Atomics.store(flag, FLAG_REPLY, 1);
      Atomics.notify(flag, FLAG_REPLY);
    } else {
      port.postMessage(result.reply, result.transfer);
    }
  });
}

if (parentPort) serve(parentPort, workerData as WorkerInit & { syncPort: MessagePort });
