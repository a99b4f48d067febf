/**
 * LightGBM benchmark: the koffi binding (src/lightgbm) against LightGBM's own Python package, on the same
 * bytes and parameters. See bench/README.md.
 *
 *   node build/bench/lightgbm/run.js [--repeats N] [--rounds N] [--cases small,large] [--threads N]
 *                                    [--python PATH] [--out DIR] [--no-python]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Dataset, lightgbmVersion, loadLightgbm, train, type LightgbmLibrary, type Params } from '../../src/lightgbm';
import { makeRegressionData, readBenchData, writeBenchData, type BenchData } from './data';
import { summarize, type Summary } from './stats';

interface CaseSpec {
  name: string;
  nTrain: number;
  nTest: number;
  ncol: number;
  seed: number;
}

const CASES: Record<string, CaseSpec> = {
  small: { name: 'small', nTrain: 20_000, nTest: 20_000, ncol: 20, seed: 20240601 },
  large: { name: 'large', nTrain: 200_000, nTest: 100_000, ncol: 20, seed: 20240602 },
};

interface Options {
  repeats: number;
  rounds: number;
  cases: CaseSpec[];
  threads: number;
  python: string;
  outDir: string;
  runPython: boolean;
}

/** One timed repeat: dataset construction, training, prediction of the held-out matrix. */
interface Repeat {
  constructMs: number;
  trainMs: number;
  predictMs: number;
  predictRowsPerSec: number;
  iterations: number;
}

interface SideResult {
  repeats: Repeat[];
  /** Over the measured repeats (the first, warm-up, repeat excluded). */
  summary: Record<'constructMs' | 'trainMs' | 'totalMs' | 'predictMs' | 'predictRowsPerSec', Summary>;
  /** rows/s at the median and at the 95th-percentile prediction time. */
  predictThroughput: { atMedian: number; atP95: number };
  /** Largest prediction difference between the first and the last repeat (determinism). */
  repeatMaxAbsDiff: number;
}

const METRICS = ['constructMs', 'trainMs', 'predictMs', 'predictRowsPerSec'] as const;

function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bench', 'lightgbm'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`project root not found above ${__dirname}`);
  }
}

function parseArgs(argv: string[], root: string): Options {
  const cores = os.availableParallelism();
  const opts: Options = {
    repeats: 6,
    rounds: 200,
    cases: [CASES.small, CASES.large],
    threads: cores,
    python: process.env.PYTHON ?? path.join(root, '.venv', 'bin', 'python'),
    outDir: path.join(root, 'bench', 'results'),
    runPython: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (min: number): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min) throw new Error(`${arg} must be an integer >= ${min}`);
      return n;
    };
    switch (arg) {
      case '--repeats': opts.repeats = int(2); break;
      case '--rounds': opts.rounds = int(1); break;
      case '--threads': opts.threads = int(1); break;
      case '--python': opts.python = value(); break;
      case '--out': opts.outDir = path.resolve(value()); break;
      case '--no-python': opts.runPython = false; break;
      case '--cases':
        opts.cases = value().split(',').map((name) => {
          const c = CASES[name.trim()];
          if (!c) throw new Error(`unknown case ${name}; known: ${Object.keys(CASES).join(', ')}`);
          return c;
        });
        break;
      case '-h':
      case '--help':
        console.log('usage: node build/bench/lightgbm/run.js [--repeats N>=2] [--rounds N] [--cases small,large] ' +
          '[--threads N] [--python PATH] [--out DIR] [--no-python]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg} (see --help)`);
    }
  }
  return opts;
}

function benchParams(opts: Options): Params {
  return {
    objective: 'regression',
    num_leaves: 63,
    learning_rate: 0.05,
    num_threads: opts.threads,
    deterministic: true,
    force_row_wise: true,
    seed: 7,
    verbosity: -1,
  };
}

function summarizeSide(repeats: Repeat[], predictions: { first: Float64Array; last: Float64Array }, nTest: number): SideResult {
  const measured = repeats.slice(1); // first repeat is the warm-up
  const summary = {} as SideResult['summary'];
  for (const m of METRICS) summary[m] = summarize(measured.map((r) => r[m]));
  summary.totalMs = summarize(measured.map((r) => r.constructMs + r.trainMs));
  return {
    repeats,
    summary,
    predictThroughput: { atMedian: nTest / (summary.predictMs.median / 1e3), atP95: nTest / (summary.predictMs.p95 / 1e3) },
    repeatMaxAbsDiff: maxAbsDiff(predictions.first, predictions.last),
  };
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function runNode(lib: LightgbmLibrary, data: BenchData, params: Params, opts: Options) {
  const repeats: Repeat[] = [];
  let first: Float64Array | undefined;
  let last: Float64Array | undefined;
  let model = '';
  for (let r = 0; r < opts.repeats; r++) {
    const t0 = performance.now();
    const ds = await Dataset.fromMatrix(lib, data.xTrain, data.nTrain, data.ncol, data.yTrain, { params });
    const t1 = performance.now();
    const { booster } = await train(lib, params, ds, { numBoostRound: opts.rounds });
    const t2 = performance.now();
    const pred = await booster.predict(data.xTest, data.nTest, data.ncol);
    const t3 = performance.now();
    repeats.push({
      constructMs: t1 - t0,
      trainMs: t2 - t1,
      predictMs: t3 - t2,
      predictRowsPerSec: data.nTest / ((t3 - t2) / 1e3),
      iterations: booster.currentIteration(),
    });
    first ??= pred;
    last = pred;
    if (r === opts.repeats - 1) model = booster.saveModelToString();
    booster.free();
    ds.free();
    process.stdout.write(`  node   repeat ${r + 1}/${opts.repeats}${r === 0 ? ' (warm-up)' : ''}: ` +
      `construct ${fmt(t1 - t0)} ms, train ${fmt(t2 - t1)} ms, predict ${fmt(t3 - t2)} ms\n`);
  }
  if (!first || !last) throw new Error('no repeats');
  return { result: summarizeSide(repeats, { first, last }, data.nTest), predictions: last, model };
}

interface PythonReport {
  python: string;
  pythonImplementation: string;
  lightgbm: string;
  lightgbmLib: string | null;
  numpy: string;
  repeats: Repeat[];
  predictionRepeatMaxAbsDiff: number;
}

function runPython(dataFile: string, params: Params, opts: Options, tmp: string, caseName: string) {
  const script = path.join(projectRoot(), 'bench', 'lightgbm', 'reference.py');
  const outJson = path.join(tmp, `${caseName}.python.json`);
  const outPred = path.join(tmp, `${caseName}.python.pred`);
  const outModel = path.join(tmp, `${caseName}.python.model.txt`);
  const proc = spawnSync(opts.python, [
    script, '--data', dataFile, '--params', JSON.stringify(params), '--rounds', String(opts.rounds),
    '--repeats', String(opts.repeats), '--out-json', outJson, '--out-pred', outPred, '--out-model', outModel,
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (proc.error) throw new Error(`cannot run ${opts.python}: ${proc.error.message} (run bash scripts/setup.sh first)`);
  if (proc.status !== 0) throw new Error(`reference.py failed (exit ${proc.status ?? proc.signal})`);
  const report = JSON.parse(fs.readFileSync(outJson, 'utf8')) as PythonReport;
  const predBytes = fs.readFileSync(outPred);
  const predictions = new Float64Array(predBytes.length / 8);
  Buffer.from(predictions.buffer).set(predBytes);
  report.repeats.forEach((r, i) => process.stdout.write(`  python repeat ${i + 1}/${opts.repeats}${i === 0 ? ' (warm-up)' : ''}: ` +
    `construct ${fmt(r.constructMs)} ms, train ${fmt(r.trainMs)} ms, predict ${fmt(r.predictMs)} ms\n`));
  return { report, predictions, model: fs.readFileSync(outModel, 'utf8') };
}

/** The trees of a model text ("Tree=0" ... "end of trees"), which must match when both sides trained alike. */
function treesOf(model: string): string[] {
  const start = model.indexOf('Tree=0');
  const end = model.indexOf('end of trees');
  if (start < 0 || end < 0) return [];
  return model.slice(start, end).split(/\n(?=Tree=\d+\n)/).map((t) => t.trim());
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function versionOf(pkg: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((os.freemem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(): Promise<void> {
  const root = projectRoot();
  const opts = parseArgs(process.argv.slice(2), root);
  const lib = loadLightgbm();
  const params = benchParams(opts);
  const machine = machineInfo();
  const versions: Record<string, string | undefined> = {
    node: process.version,
    koffi: versionOf('koffi'),
    lightgbmBinding: lightgbmVersion(lib),
    lightgbmLibrary: lib.path,
  };
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores (available parallelism ${machine.availableParallelism}), ` +
    `${machine.memoryGiB} GiB memory, ${machine.platform}, load average ${machine.loadAverage.join(' ')}`);
  console.log(`node ${versions.node}, koffi ${versions.koffi}, LightGBM ${versions.lightgbmBinding} (${lib.path})`);
  console.log(`params: ${JSON.stringify(params)}, rounds ${opts.rounds}, repeats ${opts.repeats} (first is warm-up, excluded)`);
  if (process.env.UV_THREADPOOL_SIZE) console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-ml-bench-lgbm-'));
  const cases = [];
  try {
    for (const spec of opts.cases) {
      const dataFile = path.join(tmp, `${spec.name}.bin`);
      writeBenchData(dataFile, makeRegressionData(spec.nTrain, spec.nTest, spec.ncol, spec.seed));
      const data = readBenchData(dataFile);
      console.log(`\ncase ${spec.name}: train ${spec.nTrain} x ${spec.ncol}, held-out ${spec.nTest} x ${spec.ncol} ` +
        `(${fmt(fs.statSync(dataFile).size / 2 ** 20)} MiB file)`);

      const loadBefore = os.loadavg()[0];
      const node = await runNode(lib, data, params, opts);
      const py = opts.runPython ? runPython(dataFile, params, opts, tmp, spec.name) : undefined;
      const loadAfter = os.loadavg()[0];

      let comparison;
      if (py) {
        const [nodeTrees, pyTrees] = [treesOf(node.model), treesOf(py.model)];
        const differingTrees = nodeTrees.filter((t, i) => t !== pyTrees[i]).length + Math.abs(nodeTrees.length - pyTrees.length);
        const pyResult = summarizeSide(py.report.repeats, { first: py.predictions, last: py.predictions }, spec.nTest);
        pyResult.repeatMaxAbsDiff = py.report.predictionRepeatMaxAbsDiff;
        const n = node.result.summary;
        const p = pyResult.summary;
        comparison = {
          python: pyResult,
          pythonVersions: {
            python: py.report.python,
            lightgbm: py.report.lightgbm,
            numpy: py.report.numpy,
            lightgbmLibrary: py.report.lightgbmLib,
          },
          /** node / python: below 1 is faster for times; above 1 is faster for throughput. */
          ratios: {
            constructMs: n.constructMs.median / p.constructMs.median,
            trainMs: n.trainMs.median / p.trainMs.median,
            totalMs: n.totalMs.median / p.totalMs.median,
            predictMs: n.predictMs.median / p.predictMs.median,
            predictRowsPerSec: node.result.predictThroughput.atMedian / pyResult.predictThroughput.atMedian,
            trainMsP95: n.trainMs.p95 / p.trainMs.p95,
          },
          agreement: {
            predictionMaxAbsDiff: maxAbsDiff(node.predictions, py.predictions),
            predictionsIdentical: maxAbsDiff(node.predictions, py.predictions) === 0,
            trees: { node: nodeTrees.length, python: pyTrees.length, differing: differingTrees },
          },
        };
      }
      cases.push({
        ...spec,
        loadAverage1m: { before: loadBefore, after: loadAfter },
        node: node.result,
        ...comparison,
      });
      if (comparison) {
        const r = comparison.ratios;
        console.log(`  ratios node/python (medians): construct ${fmt(r.constructMs, 3)}, train ${fmt(r.trainMs, 3)}, ` +
          `construct+train ${fmt(r.totalMs, 3)}, predict throughput ${fmt(r.predictRowsPerSec, 3)}`);
        const a = comparison.agreement;
        console.log(`  predictions: max |node - python| = ${a.predictionMaxAbsDiff}; trees differing: ${a.trees.differing}/${a.trees.node}`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const report = {
    benchmark: 'lightgbm: koffi binding (src/lightgbm) vs lightgbm Python package',
    date: new Date().toISOString(),
    machine,
    versions,
    params,
    rounds: opts.rounds,
    repeats: opts.repeats,
    warmupRepeatsExcluded: 1,
    notes: [
      'Phases: construct = Dataset.fromMatrix / lgb.Dataset(...).construct(); train = train() / lgb.train() ' +
        '(Booster creation plus all rounds; no validation set, no early stopping); predict = one batch predict() of the held-out matrix.',
      'Summaries are over the repeats after the first (warm-up); p95 interpolates linearly between order statistics.',
      'Ratios are node / python of the medians: < 1 means the binding is faster for times, > 1 for throughput.',
      'Node repeats run first, then Python repeats, each in its own process, on the same data file.',
    ],
    cases,
  };
  fs.mkdirSync(opts.outDir, { recursive: true });
  const jsonFile = path.join(opts.outDir, 'lightgbm.json');
  const mdFile = path.join(opts.outDir, 'lightgbm.md');
  fs.writeFileSync(jsonFile, JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(mdFile, markdown(report));
  console.log(`\n${markdown(report)}`);
  console.log(`results: ${path.relative(process.cwd(), jsonFile)}, ${path.relative(process.cwd(), mdFile)}`);
}

type Report = {
  date: string;
  machine: ReturnType<typeof machineInfo>;
  versions: Record<string, string | undefined>;
  params: Params;
  rounds: number;
  repeats: number;
  cases: Array<CaseSpec & { node: SideResult; python?: SideResult; pythonVersions?: Record<string, string | null>;
    ratios?: Record<string, number>; agreement?: { predictionMaxAbsDiff: number; trees: { node: number; differing: number } } }>;
};

function markdown(report: Report): string {
  const m = report.machine;
  const pyv = report.cases.find((c) => c.pythonVersions)?.pythonVersions;
  const lines = [
    '# LightGBM: koffi binding vs Python package',
    '',
    `${report.date} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${report.versions.node}, koffi ${report.versions.koffi}` +
      (pyv ? `, Python ${pyv.python}, numpy ${pyv.numpy}` : '') + ` · LightGBM ${report.versions.lightgbmBinding}`,
    '',
    `Params: \`${Object.entries(report.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}\`, ${report.rounds} rounds, ` +
      `${report.repeats} repeats (first is warm-up, excluded). Times in ms, median (p95); ratio = node / python of the medians.`,
    '',
    '| case | phase | node | python | ratio |',
    '|---|---|---:|---:|---:|',
  ];
  for (const c of report.cases) {
    const label = `${c.name} (${c.nTrain / 1000}k×${c.ncol}, predict ${c.nTest / 1000}k)`;
    const cell = (s: SideResult | undefined, key: keyof SideResult['summary']) =>
      s ? `${fmt(s.summary[key].median)} (${fmt(s.summary[key].p95)})` : '–';
    const ratio = (key: string) => (c.ratios ? fmt(c.ratios[key], 3) : '–');
    lines.push(`| ${label} | dataset construction | ${cell(c.node, 'constructMs')} | ${cell(c.python, 'constructMs')} | ${ratio('constructMs')} |`);
    lines.push(`| | train (${report.rounds} rounds) | ${cell(c.node, 'trainMs')} | ${cell(c.python, 'trainMs')} | **${ratio('trainMs')}** |`);
    lines.push(`| | construction + train | ${cell(c.node, 'totalMs')} | ${cell(c.python, 'totalMs')} | ${ratio('totalMs')} |`);
    lines.push(`| | predict | ${cell(c.node, 'predictMs')} | ${cell(c.python, 'predictMs')} | ${ratio('predictMs')} |`);
    const tp = (s: SideResult | undefined) =>
      s ? `${fmt(s.predictThroughput.atMedian / 1e6, 2)}M (${fmt(s.predictThroughput.atP95 / 1e6, 2)}M)` : '–';
    lines.push(`| | predict rows/s (at p95 time) | ${tp(c.node)} | ${tp(c.python)} | **${ratio('predictRowsPerSec')}** |`);
  }
  lines.push('');
  for (const c of report.cases) {
    if (!c.agreement) continue;
    lines.push(`- ${c.name}: max |prediction node − python| = ${c.agreement.predictionMaxAbsDiff}; ` +
      `${c.agreement.trees.node - c.agreement.trees.differing}/${c.agreement.trees.node} trees identical in the model text.`);
  }
  lines.push('');
  return lines.join('\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
