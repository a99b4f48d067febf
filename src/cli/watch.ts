/**
 * Live view of a running pipeline: the stage comes from the workflow's `progress` query, and the epoch /
 * iteration and loss from the heartbeat details of the pending training activity (visible in describe()).
 */
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { fromPayloadsAtIndex, LoadedDataConverter, Payload } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { PipelineClient, PipelineProgress } from '../client';
import { formatMetrics, formatSeconds, lossFirst } from './format';

/** Activity states of temporal.api.enums.v1.PendingActivityState, spelled out for display. */
const ACTIVITY_STATE: Record<number, string> = { 1: 'scheduled', 2: 'started', 3: 'cancel-requested', 4: 'paused', 5: 'pause-requested' };

export interface ActivityView {
  type: string;
  state: string;
  attempt: number;
  maximumAttempts?: number;
  heartbeat?: unknown;
  lastHeartbeatTime?: string;
  lastFailure?: string;
}

export interface Snapshot {
  status: string;
  progress?: PipelineProgress;
  progressError?: string;
  activities: ActivityView[];
}

/** Queries the workflow's progress with a short deadline: a closed workflow is replayed by a worker, and none may be running. */
export async function queryProgress(pc: PipelineClient, workflowId: string, timeoutMs = 3000): Promise<{ progress?: PipelineProgress; error?: string }> {
  try {
    return { progress: await pc.client.withDeadline(Date.now() + timeoutMs, () => pc.progress(workflowId)) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { error: /deadline/i.test(msg) ? `no answer within ${timeoutMs / 1000} s (is a worker polling the task queue?)` : msg };
  }
}

export async function pendingActivities(pc: PipelineClient, handle: WorkflowHandle): Promise<{ status: string; activities: ActivityView[] }> {
  const d = await handle.describe();
  return { status: d.status.name, activities: await activitiesOf(pc, d) };
}

/** The first value of a payload list, through the client's codecs (last applied, first undone) and payload converter. */
async function decodeFirst(converter: LoadedDataConverter, payloads: Payload[]): Promise<unknown> {
  for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  return fromPayloadsAtIndex(converter.payloadConverter, 0, payloads);
}

export async function activitiesOf(pc: PipelineClient, d: WorkflowExecutionDescription): Promise<ActivityView[]> {
  const converter = pc.client.options.loadedDataConverter;
  const activities = await Promise.all(
    (d.raw.pendingActivities ?? []).map(async (a): Promise<ActivityView> => {
      let heartbeat: unknown;
      try {
        heartbeat = await decodeFirst(converter, (a.heartbeatDetails?.payloads ?? []) as Payload[]);
      } catch {
        heartbeat = undefined; // undecodable details only cost the progress display
      }
      const hb = optionalTsToMs(a.lastHeartbeatTime);
      return {
        type: a.activityType?.name ?? '?',
        state: ACTIVITY_STATE[a.state ?? 0] ?? 'unknown',
        attempt: a.attempt ?? 1,
        maximumAttempts: a.maximumAttempts || undefined,
        heartbeat,
        lastHeartbeatTime: hb ? new Date(hb).toISOString() : undefined,
        lastFailure: a.lastFailure?.message ?? undefined,
      };
    }),
  );
  return activities;
}

/** "epoch 3/5 loss=0.41 val_loss=0.52" (tfjs) or "iteration 45/200 train_rmse=… val_rmse=…" (LightGBM). */
export function heartbeatText(details: unknown): string | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const d = details as { epoch?: number; totalEpochs?: number; iteration?: number; rounds?: number; metrics?: Record<string, number> };
  const step =
    typeof d.epoch === 'number' ? `epoch ${d.epoch}${d.totalEpochs ? `/${d.totalEpochs}` : ''}` : typeof d.iteration === 'number' ? `iteration ${d.iteration}${d.rounds ? `/${d.rounds}` : ''}` : undefined;
  if (!step) return undefined;
  const metrics = formatMetrics(d.metrics, lossFirst(Object.keys(d.metrics ?? {}), 3));
  return metrics ? `${step} ${metrics}` : step;
}

export function progressLine(elapsedMs: number, snap: Snapshot): string {
  const parts = [snap.progress?.stage ?? snap.status.toLowerCase()];
  for (const a of snap.activities) {
    const hb = heartbeatText(a.heartbeat);
    const retry = a.attempt > 1 ? ` (attempt ${a.attempt}${a.lastFailure ? `, last error: ${a.lastFailure}` : ''})` : '';
    if (hb || retry) parts.push(`${a.type}: ${hb ?? a.state}${retry}`);
  }
  return `[${formatSeconds(elapsedMs)}] ${parts.join('  ')}`;
}

/** Status, pending activities (with heartbeats) and the progress query; a transient error gives an 'unknown' snapshot. */
export async function takeSnapshot(pc: PipelineClient, handle: WorkflowHandle): Promise<Snapshot> {
  try {
    const [{ status, activities }, q] = await Promise.all([pendingActivities(pc, handle), queryProgress(pc, handle.workflowId, 2000)]);
    return { status, activities, progress: q.progress };
  } catch {
    return { status: 'unknown', activities: [] }; // the next tick tries again
  }
}

/**
 * Redraws the progress about once a second until the workflow closes. On a TTY it rewrites one line with
 * `\r`; otherwise (logs, CI, pipes) it prints a plain line whenever the content changes.
 */
export async function watchUntilClosed(pc: PipelineClient, handle: WorkflowHandle, closed: Promise<unknown>): Promise<void> {
  const tty = Boolean(process.stdout.isTTY);
  const started = Date.now();
  let done = false;
  void closed.then(
    () => (done = true),
    () => (done = true),
  );
  let last = '';
  while (!done) {
    const snap = await takeSnapshot(pc, handle);
    if (done) break;
    const line = progressLine(Date.now() - started, snap);
    if (tty) {
      process.stdout.write(`\r${line.slice(0, (process.stdout.columns || 120) - 1)}\x1b[K`);
    } else {
      const content = line.replace(/^\[[^\]]*\] /, ''); // ignore the clock when deciding whether anything changed
      if (content !== last) console.log(line);
      last = content;
    }
    await Promise.race([new Promise((r) => setTimeout(r, 1000)), closed.catch(() => undefined)]);
  }
  if (tty) process.stdout.write('\r\x1b[K');
}

/** One line of a multi-run display: which run, its stage (plain output prints on a change), the text. */
export interface BoardLine {
  label: string;
  stage: string;
  text: string;
  /** The run has closed: its line is printed once more, not every interval. */
  final?: boolean;
}

/**
 * Several runs, one line each. On a terminal the block is redrawn in place (cursor up over the previous block);
 * in logs and pipes it prints plain lines: a run's line when its stage changes, and every line each `everyMs`,
 * so a long training is never minutes of silence.
 */
export class ProgressBoard {
  private drawn = 0;
  private lastStages = new Map<string, string>();
  private lastFullAt = -Infinity;

  constructor(
    private readonly tty: boolean,
    private readonly everyMs = 15_000,
    private readonly columns = 120,
  ) {}

  /** What to write now ('' when nothing is due). */
  render(lines: BoardLine[], now: number): string {
    const row = (l: BoardLine) => `${l.label}  ${l.text}`;
    if (this.tty) {
      const up = this.drawn ? `\x1b[${this.drawn}A` : '';
      this.drawn = lines.length;
      return up + lines.map((l) => `\r${row(l).slice(0, this.columns - 1)}\x1b[K\n`).join('');
    }
    const full = now - this.lastFullAt >= this.everyMs;
    const due = lines.filter((l) => (full && !l.final) || this.lastStages.get(l.label) !== l.stage);
    if (full) this.lastFullAt = now;
    due.forEach((l) => this.lastStages.set(l.label, l.stage));
    return due.map((l) => `${row(l)}\n`).join('');
  }
}

export interface WatchedRun {
  label: string;
  handle: WorkflowHandle;
  closed: Promise<unknown>;
  /** Text after the progress line once the run is done, e.g. its key metric. */
  outcome?: (progress: PipelineProgress | undefined) => string | undefined;
}

/** Follows several runs at once until all have closed; a closed run keeps its last line (and elapsed time). */
export async function watchAllUntilClosed(pc: PipelineClient, runs: WatchedRun[], out: NodeJS.WriteStream = process.stdout): Promise<void> {
  const board = new ProgressBoard(Boolean(out.isTTY), 15_000, out.columns || 120);
  const width = Math.max(0, ...runs.map((r) => r.label.length));
  const started = Date.now();
  const closed = new Set<WatchedRun>();
  runs.forEach((r) => void r.closed.then(() => closed.add(r), () => closed.add(r)));
  const lines = new Map<WatchedRun, BoardLine>();
  // A busy worker may miss the query's deadline: keep showing the last stage it answered rather than 'running'.
  const known = new Map<WatchedRun, PipelineProgress>();
  const finished = new Set<WatchedRun>();
  while (finished.size < runs.length) {
    await Promise.all(
      runs
        .filter((r) => !finished.has(r))
        .map(async (r) => {
          const isClosed = closed.has(r); // read before the snapshot: its state is then final
          const taken = await takeSnapshot(pc, r.handle);
          if (taken.progress) known.set(r, taken.progress);
          const snap = { ...taken, progress: known.get(r) };
          const extra = isClosed ? r.outcome?.(snap.progress) : undefined;
          lines.set(r, { label: r.label.padEnd(width), stage: snap.progress?.stage ?? snap.status, text: progressLine(Date.now() - started, snap) + (extra ? `  ${extra}` : ''), final: isClosed });
          if (isClosed) finished.add(r);
        }),
    );
    out.write(board.render(runs.map((r) => lines.get(r)!), Date.now()));
    if (finished.size < runs.length) await Promise.race([new Promise((r) => setTimeout(r, 1000)), ...runs.filter((r) => !closed.has(r)).map((r) => r.closed.catch(() => undefined))]);
  }
}
