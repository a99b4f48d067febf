/**
 * Prepare for the Tick pipeline: ticks (CSV or Parquet) in the requested window → cleaning (counts logged) → OHLCV bars
 * → features → chronological train/validation/test split per symbol → scaling fitted on train only
 * → sequences of `sequenceLength` bars predicting the next bar's log return.
 */
import { rawDir } from '../../data/layout';
import path from 'node:path';
import pl from 'nodejs-polars';
import { addCleaningReports, assertCleanEnough, BAR_FEATURE_NAMES, buildTickArrays, CleaningReport, generateTicks, readTicks, TICK_SPLIT, toBars, writeTicksCsv } from '../../data/ticks';
import { DataError } from '../../data/errors';
import { paramsOf, type DataSource, type PreparedData, type StageRequest } from '../../workflows/shared/types';
import type { ActivityDeps } from '../deps';
import { preparedOnce } from './prepared-once';
import { DataRoot } from '../../data/paths';
import { rawFilesIn, sourceDir, syntheticSet, syntheticSetOnce, windowMs } from './raw-files';

/** Default window of the synthetic data: one trading week. */
const SYNTHETIC_START = Date.UTC(2026, 0, 5);
const SYNTHETIC_DAYS = { tiny: 5, small: 20 };
const TICKS_PER_DAY = { tiny: 6000, small: 20000 };

async function tickFiles(root: DataRoot, source: DataSource = { kind: 'files' }): Promise<{ files: string[]; dataset: string }> {
  if (source.kind === 'synthetic') {
    const set = syntheticSet('tick', source);
    const ticks = () =>
      generateTicks({ symbols: ['AAA', 'BBB'], start: new Date(SYNTHETIC_START), days: SYNTHETIC_DAYS[set.size], ticksPerDay: TICKS_PER_DAY[set.size], seed: set.seed, momentum: source.momentum });
    const dir = await syntheticSetOnce(root, set.name, (tmp) => writeTicksCsv(path.join(tmp, 'ticks.csv'), ticks()));
    return { files: [await root.file(path.join(dir, 'ticks.csv'))], dataset: set.name };
  }
  const dir = sourceDir(source, rawDir('ticks'));
  const files = await rawFilesIn(root, dir, ['.csv', '.parquet'], 'tick files (columns timestamp,symbol,price,size)');
  return { files, dataset: `ticks-${path.basename(dir)}` };
}

export function tickPrepareActivities(deps: ActivityDeps) {
  return {
    async prepareTicks(req: StageRequest): Promise<PreparedData> {
      const root = await DataRoot.open(deps.dataRoot, deps.limits);
      const { files, dataset } = await tickFiles(root, req.input.source);
      const window = windowMs(req.input.window);
      const params = paramsOf(req, 'tick');
      const sequenceLength = params.sequenceLength;
      const intervalMs = params.barIntervalSec * 1000;
      let report: CleaningReport | undefined;
      const prepared = await preparedOnce(root, deps, req, {
        dataset,
        rawFiles: files,
        // The feature list is part of the key, so prepared data made before a feature change is not reused.
        settings: { window, sequenceLength, intervalMs, split: TICK_SPLIT, features: BAR_FEATURE_NAMES },
        build: async () => {
          const frames: pl.DataFrame[] = [];
          for (const file of files) {
            const read = await readTicks(file, window, { limits: root.limits });
            assertCleanEnough(file, read.report, params.maxDirtyFraction);
            frames.push(read.frame);
            report = report ? addCleaningReports(report, read.report) : read.report;
          }
          const ticks = frames.length === 1 ? frames[0] : pl.concat(frames);
          if (ticks.height === 0) {
            throw new DataError(`no usable ticks in window ${req.input.window ? `${req.input.window.start} – ${req.input.window.end}` : '(all)'}`, files.join(', '));
          }
          return buildTickArrays(await toBars(ticks, intervalMs), sequenceLength, report!, files);
        },
      });
      if (report) await deps.mlflow.logMetrics(req.run.runId, Object.fromEntries(Object.entries(report).map(([k, v]) => [`clean_${k}`, v])));
      return prepared;
    },
  };
}
