/**
 * The CPU-bound pieces of activities that run on compute threads (./pool.ts), away from the worker's event loop,
 * which must stay free to heartbeat, poll and answer MLflow: parsing and featurising power files, and chart
 * rendering (Vega + resvg). Each task is pure: plain data in, plain data out; files are read (inside the data root)
 * by the caller, so the data-root boundary stays in one place.
 */
import { DmlError } from '../errors';
import { decodeText } from '../data/paths';
import { createHash } from 'node:crypto';
import { addPowerFile, buildPowerArrays, emptyPowerInput, parsePowerText, type ParsedPower, type PowerReport } from '../data/power';
import type { DataLimits } from '../data/limits';
import type { StoredArray } from '../data/arrays';
import { barChartPng, confusionMatrixPng, learningCurvePng, lineChartPng } from '../plots';

export interface PowerArraysRequest {
  /** Raw power files: their names (as error messages should show them) and bytes. */
  files: { file: string; bytes: Uint8Array }[];
  window: { start: number; end: number };
  bucketMs: number;
  horizon: number;
  limits: DataLimits;
}

export interface PowerArrays {
  arrays: Record<string, StoredArray>;
  info: Record<string, unknown>;
  report: PowerReport;
}

/**
 * Files parsed on this thread, by content (and the limits they were checked against). A backfill prepares one
 * partition per date from the same raw files, and parsing them was most of each prepare's CPU time; the window,
 * resampling and features still run per partition. Bounded by the bytes of the files cached, oldest out first.
 */
const parsedFiles = new Map<string, { parsed: ParsedPower; bytes: number }>();
const PARSED_CACHE_BYTES = 64 * 1024 * 1024;

function parsedPowerFile(file: string, bytes: Uint8Array, limits: DataLimits): ParsedPower {
  const key = createHash('sha256').update(bytes).update(JSON.stringify([limits.minTime, limits.maxTime, limits.powerMaxKw])).digest('hex');
  const hit = parsedFiles.get(key);
  if (hit) {
    parsedFiles.delete(key); // most recently used goes last
    parsedFiles.set(key, hit);
    return hit.parsed;
  }
  // Parse errors name the file: they are never cached, so each caller sees its own file named.
  const parsed = parsePowerText(decodeText(bytes, file), file, { limits });
  if (bytes.length <= PARSED_CACHE_BYTES) {
    parsedFiles.set(key, { parsed, bytes: bytes.length });
    let total = [...parsedFiles.values()].reduce((sum, e) => sum + e.bytes, 0);
    for (const [k, e] of parsedFiles) {
      if (total <= PARSED_CACHE_BYTES) break;
      parsedFiles.delete(k);
      total -= e.bytes;
    }
  }
  return parsed;
}

/** UCI power files → the Power model's prepared arrays and what parsing skipped (src/data/power). */
function powerArrays(req: PowerArraysRequest): PowerArrays {
  const input = emptyPowerInput();
  for (const { file, bytes } of req.files) addPowerFile(input, file, parsedPowerFile(file, bytes, req.limits), req.window);
  const built = buildPowerArrays(input, req.files.map((f) => f.file), { bucketMs: req.bucketMs, horizon: req.horizon, maxSeriesPoints: req.limits.maxSeriesPoints });
  return { ...built, report: input.report };
}

export const TASKS = { powerArrays, barChartPng, confusionMatrixPng, learningCurvePng, lineChartPng };

export type TaskName = keyof typeof TASKS;
export type TaskArgs<K extends TaskName> = Parameters<(typeof TASKS)[K]>;
export type TaskResult<K extends TaskName> = Awaited<ReturnType<(typeof TASKS)[K]>>;

/**
 * What crosses back from a thread. A thrown error would lose its class on the way (structured clone keeps only
 * the message), and with it whether a retry can help: so errors travel as values and are rebuilt by the pool.
 */
export type TaskOutcome<T> = { ok: T } | { failed: { name: string; message: string; retryable: boolean; stack?: string } };

export async function runTask<K extends TaskName>({ name, args }: { name: K; args: TaskArgs<K> }): Promise<TaskOutcome<TaskResult<K>>> {
  try {
    const task = TASKS[name] as unknown as (...a: TaskArgs<K>) => Promise<TaskResult<K>>;
    return { ok: await task(...args) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { failed: { name: e.name, message: e.message, retryable: !(e instanceof DmlError) || e.retryable, stack: e.stack } };
  }
}
