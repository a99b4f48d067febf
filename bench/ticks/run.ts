/**
 * Tick preparation: synthetic ticks → cleaning → 1-minute bars → features, the project (src/data/ticks, on
 * nodejs-polars) vs a pandas script computing the same (bench/ticks/reference.py), plus the library choice
 * measured on equal work (bench/ticks/candidates.ts: nodejs-polars vs apache-arrow).
 *
 *   node build/bench/ticks/run.js [--ticks 5000000] [--repeats 3]
 *
 * Every side runs in its own process (peak RSS is that side's own), repeats interleaved with a rotating order so
 * background load hits all sides alike. The data (CSV and the same ticks as Parquet) is generated once into the
 * OS temp folder and reused. Results: bench/results/tick-prep.json and .md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config';
import { generateTicks, writeTicksCsv, writeTicksParquet } from '../../src/data/ticks';
import { packageVersion } from '../../src/models/backend';
import { summarize } from '../lightgbm/stats';
import { machineInfo } from '../machine';
import { writeResults } from '../write-results';
import { numberOption as option } from '../cli-options';

const TICKS = option('ticks', 5_000_000);
const REPEATS = option('repeats', 3);
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
const DAYS = 20;
const PYTHON = path.join(PROJECT_ROOT, '.venv', 'bin', 'python');

interface SideRun {
  side: string;
  seconds: number | Record<string, number>;
  maxRssMB: number;
  longestStallMs?: number;
  report?: Record<string, number>;
  bars: number;
  featureRows?: number;
  featureSums?: number[];
}

async function dataFiles(): Promise<{ csv: string; parquet: string }> {
  const dir = path.join(os.tmpdir(), 'durable-ml-bench');
  const base = path.join(dir, `ticks-${TICKS}-seed3`);
  const csv = `${base}.csv`, parquet = `${base}.parquet`;
  if (!fs.existsSync(csv) || !fs.existsSync(parquet)) {
    fs.mkdirSync(dir, { recursive: true });
    console.log(`generating ${TICKS} ticks (${SYMBOLS.length} symbols, ${DAYS} sessions) into ${dir} ...`);
    const ticks = generateTicks({ symbols: SYMBOLS, start: new Date(Date.UTC(2026, 0, 5)), days: DAYS, ticksPerDay: Math.ceil(TICKS / SYMBOLS.length / DAYS), seed: 3 });
    await writeTicksCsv(`${csv}.tmp`, ticks);
    await writeTicksParquet(`${parquet}.tmp`, ticks);
    fs.renameSync(`${csv}.tmp`, csv);
    fs.renameSync(`${parquet}.tmp`, parquet);
  }
  return { csv, parquet };
}

function runSide(command: string, argv: string[]): SideRun {
  const out = execFileSync(command, argv, { cwd: PROJECT_ROOT, encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const total = (r: SideRun) => (typeof r.seconds === 'number' ? r.seconds : r.seconds.total);
const median = (xs: number[]) => summarize(xs).median;

async function main() {
  const files = await dataFiles();
  const node = process.execPath;
  const js = (name: string) => path.join(PROJECT_ROOT, 'build', 'bench', 'ticks', `${name}.js`);
  const sides: Record<string, () => SideRun> = {
    'project (csv)': () => runSide(node, [js('project-side'), files.csv]),
    'project (parquet)': () => runSide(node, [js('project-side'), files.parquet]),
    'pandas (csv)': () => runSide(PYTHON, [path.join(PROJECT_ROOT, 'bench', 'ticks', 'reference.py'), files.csv]),
    'candidate nodejs-polars (csv → bars)': () => runSide(node, [js('candidates'), 'polars', files.csv]),
    // The hand-written JS parse holds every line as a string at once: give it room.
    'candidate apache-arrow (csv → bars)': () => runSide(node, ['--max-old-space-size=8192', js('candidates'), 'arrow', files.csv]),
  };
  const names = Object.keys(sides);
  const runs: Record<string, SideRun[]> = Object.fromEntries(names.map((n) => [n, []]));
  const loadBefore = os.loadavg();
  for (let r = 0; r < REPEATS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      const run = sides[name]();
      runs[name].push(run);
      console.log(`repeat ${r + 1}/${REPEATS} ${name}: ${total(run).toFixed(2)} s, ${run.maxRssMB.toFixed(0)} MB`);
    }
  }

  const summary = Object.fromEntries(
    names.map((n) => {
      const rs = runs[n];
      return [n, {
        seconds: summarize(rs.map(total)),
        ticksPerSecond: TICKS / median(rs.map(total)),
        maxRssMB: median(rs.map((r) => r.maxRssMB)),
        longestStallMs: rs[0].longestStallMs === undefined ? undefined : median(rs.map((r) => r.longestStallMs!)),
        stages: typeof rs[0].seconds === 'number' ? undefined : Object.fromEntries(Object.keys(rs[0].seconds).map((s) => [s, median(rs.map((r) => (r.seconds as Record<string, number>)[s]))])),
      }];
    }),
  );
  const project = runs['project (csv)'][0], pandas = runs['pandas (csv)'][0];
  const relDiff = project.featureSums!.map((v, j) => Math.abs(v - pandas.featureSums![j]) / Math.max(1e-12, Math.abs(pandas.featureSums![j])));
  const agreement = {
    sameCleaningCounts: JSON.stringify(sortKeys(project.report!)) === JSON.stringify(sortKeys(pandas.report!)),
    sameBars: project.bars === pandas.bars,
    sameFeatureRows: project.featureRows === pandas.featureRows,
    maxRelativeDiffOfFeatureSums: Math.max(...relDiff),
    featureSumsAgree: Math.max(...relDiff) < 1e-9,
    parquetMatchesCsv: JSON.stringify(runs['project (parquet)'][0].featureSums) === JSON.stringify(project.featureSums),
  };
  const ratios = {
    timeProjectOverPandas: summary['project (csv)'].seconds.median / summary['pandas (csv)'].seconds.median,
    peakRssProjectOverPandas: summary['project (csv)'].maxRssMB / summary['pandas (csv)'].maxRssMB,
    timePolarsOverArrow: summary['candidate nodejs-polars (csv → bars)'].seconds.median / summary['candidate apache-arrow (csv → bars)'].seconds.median,
  };
  const versions = {
    node: process.version,
    nodejsPolars: packageVersion('nodejs-polars'),
    // apache-arrow's exports map hides its package.json from require().
    apacheArrow: JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'apache-arrow', 'package.json'), 'utf8')).version as string,
    python: execFileSync(PYTHON, ['-c', 'import sys, pandas, numpy; print(sys.version.split()[0], pandas.__version__, numpy.__version__)'], { encoding: 'utf8' }).trim(),
  };
  const result = { date: new Date().toISOString(), machine: machineInfo(), versions, ticks: TICKS, symbols: SYMBOLS.length, sessions: DAYS, repeats: REPEATS, loadBefore, loadAfter: os.loadavg(), summary, ratios, agreement, cleaning: project.report, bars: project.bars, runs };
  writeResults('tick-prep', result, markdown(result));
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function markdown(r: {
  date: string;
  machine: ReturnType<typeof machineInfo>;
  versions: Record<string, string>;
  summary: Record<string, { seconds: { median: number; p95: number }; ticksPerSecond: number; maxRssMB: number; longestStallMs?: number }>;
  ratios: Record<string, number>;
  agreement: Record<string, unknown>;
  repeats: number;
  bars: number;
}): string {
  const rows = Object.entries(r.summary).map(
    ([name, s]) =>
      `| ${name} | ${s.seconds.median.toFixed(2)} | ${(s.ticksPerSecond / 1e6).toFixed(2)} M | ${s.maxRssMB.toFixed(0)} | ${s.longestStallMs === undefined ? '–' : s.longestStallMs.toFixed(0)} |`,
  );
  return [
    `# Tick preparation: ${(TICKS / 1e6).toFixed(1)}M ticks → ${r.bars} bars → 11 features`,
    '',
    `${r.date.slice(0, 10)}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.cpuModel}; node ${r.versions.node}, nodejs-polars ${r.versions.nodejsPolars}, apache-arrow ${r.versions.apacheArrow}; python/pandas/numpy ${r.versions.python}. Median of ${r.repeats} repeats.`,
    '',
    '| side | seconds | ticks/s | peak RSS MB | longest event-loop stall ms |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Project / pandas: time **${r.ratios.timeProjectOverPandas.toFixed(2)}×** (goal ≤ 1.0), peak memory ${r.ratios.peakRssProjectOverPandas.toFixed(2)}×. nodejs-polars / apache-arrow on equal work (parse + bars): ${r.ratios.timePolarsOverArrow.toFixed(2)}×.`,
    `Agreement: ${JSON.stringify(r.agreement)}`,
    '',
  ].join('\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
