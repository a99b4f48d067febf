/**
 * Prepare for the Power pipeline: UCI household power files (`;`-separated, `?` = missing) up to the
 * training date → hourly means → lag / rolling / calendar features (each using data up to t only)
 * → target = consumption `horizonHours` later → chronological train / validation / test split.
 */
import { rawDir } from '../../data/layout';
import path from 'node:path';
import { log } from '@temporalio/activity';
import { generatePowerText, POWER_SPLIT, type PowerReport } from '../../data/power';
import { DataError } from '../../data/errors';
import { paramsOf, type DataSource, type PipelineInput, type PreparedData, type StageRequest } from '../../workflows/shared/types';
import { computeOf, type ActivityDeps } from '../deps';
import { preparedOnce } from './prepared-once';
import { DataRoot } from '../../data/paths';
import { rawFilesIn, sourceDir, syntheticSet, syntheticSetOnce, windowMs } from './raw-files';

const SYNTHETIC_START = Date.UTC(2026, 0, 1);
const SYNTHETIC_DAYS = { tiny: 60, small: 365 };

const SYNTHETIC_FILE = 'household_power_consumption.txt';

async function powerFiles(root: DataRoot, source: DataSource = { kind: 'files' }): Promise<{ files: string[]; dataset: string }> {
  if (source.kind === 'synthetic') {
    const set = syntheticSet('power', source);
    const text = () => generatePowerText({ start: new Date(SYNTHETIC_START), days: SYNTHETIC_DAYS[set.size], seed: set.seed });
    const dir = await syntheticSetOnce(root, set.name, (tmp) => root.writeFile(path.join(tmp, SYNTHETIC_FILE), text()).then(() => undefined));
    return { files: [await root.file(path.join(dir, SYNTHETIC_FILE))], dataset: set.name };
  }
  const dir = sourceDir(source, rawDir('power'));
  return { files: await rawFilesIn(root, dir, '.txt', 'UCI household power files'), dataset: `power-${path.basename(dir)}` };
}

const DAY = 86_400_000;

/** The training window: ends at the training date (or window end); starts `historyDays` earlier (0 = all history). */
export function powerWindow(input: PipelineInput, historyDays: number): { start: number; end: number } {
  const window = windowMs(input.window) ?? { start: -Infinity, end: Infinity };
  if (input.trainingDate !== undefined) {
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trainingDate);
    const end = day ? Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : NaN;
    if (!Number.isFinite(end)) throw new DataError(`trainingDate '${input.trainingDate}' is not a YYYY-MM-DD date`, 'input.trainingDate');
    window.end = end;
  }
  if (historyDays > 0 && Number.isFinite(window.end)) window.start = Math.max(window.start, window.end - historyDays * DAY);
  return window;
}

export function powerPrepareActivities(deps: ActivityDeps) {
  return {
    async preparePower(req: StageRequest): Promise<PreparedData> {
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const { files, dataset } = await powerFiles(root, req.input.source);
      const params = paramsOf(req, 'power');
      const window = powerWindow(req.input, params.historyDays);
      const bucketMs = params.bucketMinutes * 60_000;
      const horizon = params.horizonSteps;
      let report: PowerReport | undefined;
      const prepared = await preparedOnce(root, deps, req, {
        dataset,
        rawFiles: files,
        settings: { window: [window.start, window.end].map(String), bucketMs, horizon, split: POWER_SPLIT },
        build: async () => {
          // Read here, inside the data root's checks; parsed and featurised on a compute thread (seconds for a year
          // of minute readings), so this worker keeps heartbeating and serving other activities meanwhile.
          const raw = await Promise.all(files.map(async (file) => ({ file, bytes: await root.read(file) })));
          const built = await computeOf(deps).run('powerArrays', { files: raw, window, bucketMs, horizon, limits: root.limits });
          report = built.report;
          return built;
        },
      });
      if (report) await logPowerReport(deps, req, report);
      return prepared;
    },
  };
}

/** Skipped rows (below the parser's limit) and odd timestamps are recorded, so nothing is dropped or merged silently. */
async function logPowerReport(deps: ActivityDeps, req: StageRequest, report: PowerReport): Promise<void> {
  await deps.mlflow.logMetrics(req.run.runId, {
    prepare_malformed_rows: report.malformed.length,
    prepare_implausible_rows: report.implausible.length,
    prepare_missing_readings: report.missingReadings,
    prepare_duplicate_timestamps: report.duplicateTimestamps,
    prepare_backward_timestamps: report.backwardTimestamps,
  });
  if (report.implausible.length || report.duplicateTimestamps || report.backwardTimestamps) {
    log.warn('power input has skipped or reordered rows', {
      implausibleRows: report.implausible.length,
      firstImplausible: report.implausible.slice(0, 3),
      duplicateTimestamps: report.duplicateTimestamps,
      backwardTimestamps: report.backwardTimestamps,
    });
  }
  const skipped = { malformed: report.malformed, implausible: report.implausible };
  for (const [name, rows] of Object.entries(skipped)) {
    if (rows.length) await deps.mlflow.uploadArtifact(req.run.artifactUri, `prepare/${name}_rows.json`, JSON.stringify(rows, null, 1));
  }
}
