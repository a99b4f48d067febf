/**
 * The workflow's "current details" in the Temporal Web UI (`setCurrentDetails`, Markdown): where the run is,
 * how training is going, and how it ended. A pure renderer of the same state the `progress` query returns,
 * so the UI, the query and the CLI never disagree.
 */
import { formatNumber, formatSeconds, lossFirst } from '../../cli/format';
import type { DataWait, PipelineProgress, Stage, TrainingProgress } from './types';

const STAGES: Stage[] = ['prepare', 'train', 'evaluate', 'register'];

/** Failure types the pipeline raises on purpose, said in plain words. */
const PLAIN_CAUSE: Record<string, string> = {
  DataError: 'bad input data',
  InvalidInput: 'invalid workflow input',
  TrainingDiverged: 'training diverged (loss became NaN or infinite)',
  LightgbmError: 'LightGBM refused the data or parameters',
  DataNotReady: 'input data did not arrive before the sensor timeout',
  TimeoutFailure: 'timed out',
  CancelledFailure: 'cancelled',
  TerminatedFailure: 'terminated',
};

export function renderCurrentDetails(p: PipelineProgress): string {
  const lines = [headline(p)];
  if (p.waitingForData) lines.push(waitingLine(p.waitingForData));
  if (p.stage === 'train' && p.training) lines.push(...trainingLines(p.training));
  if (p.trained && p.stage !== 'train') {
    const unit = p.trained.backend.startsWith('lightgbm') ? 'rounds' : 'epochs';
    lines.push(`**Trained** ${p.trained.epochs} ${unit} on \`${p.trained.backend}\`: ${metricsText(p.trained.metrics)}`);
  }
  if (p.evaluated) lines.push(`**Test** ${metricsText(p.evaluated)}`);
  if (p.registration) lines.push(`**Registry** ${p.registration.reason}`);
  if (p.stage === 'failed' && p.error) lines.push(`**Root cause** ${p.error}`);
  if (p.mlflowRunId) lines.push(p.mlflowRunUrl ? `**MLflow** [run ${p.mlflowRunId}](${p.mlflowRunUrl})` : `**MLflow** run ${p.mlflowRunId}`);
  if (p.partition) lines.push(`**Partition** ${p.partition}`);
  return lines.join('\n\n');
}

function headline(p: PipelineProgress): string {
  const step = STAGES.indexOf(p.stage);
  if (step >= 0) {
    const epoch = p.stage === 'train' && p.training ? ` · ${stepText(p.training)}` : '';
    return `### ${p.stage} (stage ${step + 1}/${STAGES.length})${epoch}`;
  }
  if (p.stage === 'failed') {
    const plain = (p.errorType && PLAIN_CAUSE[p.errorType]) ?? 'failed';
    const where = p.failedStage && STAGES.includes(p.failedStage) ? ` in ${p.failedStage}` : '';
    return `### ❌ failed${where}: ${plain}`;
  }
  if (p.stage === 'done') return `### ✅ done · ${registrationHeadline(p)}`;
  if (p.stage === 'skipped') return '### ⏭ skipped: partition already trained';
  return '### starting';
}

function registrationHeadline(p: PipelineProgress): string {
  const r = p.registration;
  if (!r) return 'finished';
  if (!r.registered) return `not registered (${r.modelName})`;
  return `registered ${r.modelName} v${r.version}${r.champion ? ', new champion' : ', champion unchanged'}`;
}

/**
 * "epoch 3/8" at an epoch's end (epochs done), "epoch 3/8 (batch 120/844)" mid-epoch (the epoch in flight:
 * `epoch` counts finished ones), "round 40/300" for LightGBM.
 */
function stepText(t: TrainingProgress): string {
  if (t.throughput?.unit === 'rounds' || t.backend?.startsWith('lightgbm')) return `round ${t.epoch}/${t.totalEpochs}`;
  if (t.batch !== undefined && t.batches) return `epoch ${t.epoch + 1}/${t.totalEpochs} (batch ${t.batch}/${t.batches})`;
  return `epoch ${t.epoch}/${t.totalEpochs}`;
}

function trainingLines(t: TrainingProgress): string[] {
  const lines: string[] = [];
  if (Object.keys(t.metrics).length) lines.push(`**Latest** ${metricsText(t.metrics)}`);
  const speed = [
    t.throughput && `${formatNumber(t.throughput.perSec)} ${t.throughput.unit}/s`,
    t.etaSec !== undefined && `ETA ${formatSeconds(t.etaSec * 1000)}`,
    t.backend && `backend \`${t.backend}\``,
    t.at !== undefined && `as of ${new Date(t.at).toISOString().slice(11, 19)} UTC`,
  ].filter(Boolean);
  if (speed.length) lines.push(`**Speed** ${speed.join(' · ')}`);
  return lines;
}

function metricsText(metrics: Record<string, number>): string {
  const keys = lossFirst(Object.keys(metrics));
  return keys.length ? keys.map((k) => `${k} ${formatNumber(metrics[k])}`).join(' · ') : '(none)';
}

/** "waiting for data: 2 of 7 files missing (a, b), since 02:00:03 UTC, timeout in 5h 58m" (at most 3 names shown). */
function waitingLine(w: DataWait): string {
  const names = w.missing.slice(0, 3).map((f) => `\`${f}\``).join(', ') + (w.missing.length > 3 ? `, … ${w.missing.length - 3} more` : '');
  const since = new Date(w.since).toISOString().slice(11, 19);
  return `**Waiting for data** ${w.missing.length} of ${w.expected} files missing (${names}), since ${since} UTC, timeout in ${formatSeconds(Math.max(0, w.deadline - w.checkedAt))}`;
}
