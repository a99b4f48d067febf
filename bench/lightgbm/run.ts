/**
 * LightGBM benchmark: the koffi binding (src/lightgbm) against LightGBM's own Python package, on the same
 * bytes and parameters, plus a diagnostic Node variant that makes all LightGBM calls from one thread
 * (one-thread.ts). See bench/README.md.
 *
 *   node build/bench/lightgbm/run.js [--repeats N] [--rounds N] [--cases small,large] [--threads N]
 *                                    [--python PATH] [--out DIR] [--no-python] [--no-one-thread] [--idle-wait S] [--retries N] [--report-only]
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as readline from 'readline';
import { Dataset, lightgbmVersion, loadLightgbm, train, type Booster, type LightgbmLibrary, type Params } from '../../src/lightgbm';
import { makeRegressionData, readBenchData, writeBenchData, type BenchData } from './data';
import { quantile, summarize, type Summary } from './stats';
import { machineInfo } from '../machine';
import { foreignCpuMeter, waitForQuiet } from '../background-load';
import { writeResults } from '../write-results';

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

type SideName = 'node' | 'nodeOneThread' | 'python';
const SIDE_LABELS: Record<SideName, string> = {
  node: 'node (koffi binding)',
  nodeOneThread: 'node, one LightGBM thread (diagnostic)',
  python: 'python (lightgbm package)',
};

interface Options {
  repeats: number;
  rounds: number;
  cases: CaseSpec[];
  threads: number;
  python: string;
  outDir: string;
  sides: SideName[];
  /** Only rewrite <out>/lightgbm.md from <out>/lightgbm.json. */
  reportOnly: boolean;
  /** Before each repeat, wait up to this many seconds for the other processes to leave the CPUs idle. */
  idleWaitS: number;
  /** Repeats during which other processes used more than 10% of the CPUs are run again, up to this many times. */
  retries: number;
}

/** One timed repeat: dataset construction, training, prediction of the held-out matrix. */
interface Repeat {
  constructMs: number;
  trainMs: number;
  predictMs: number;
  predictRowsPerSec: number;
  iterations: number;
  /** Background CPU use just before the repeat (share of all CPUs, over 1 s). */
  busyBefore?: number;
  /** CPU used by other processes during the repeat (share of all CPUs). */
  foreignCpu?: number;
}

type MetricName = 'constructMs' | 'trainMs' | 'totalMs' | 'predictMs' | 'predictRowsPerSec';

interface SideResult {
  label: string;
  repeats: Repeat[];
  /** Over the measured repeats (the first, warm-up, repeat excluded). */
  summary: Record<MetricName, Summary>;
  /** rows/s at the median and at the 95th-percentile prediction time. */
  predictThroughput: { atMedian: number; atP95: number };
  /** Largest prediction difference between the first and the last repeat (determinism). */
  repeatMaxAbsDiff: number;
}

interface Finished {
  predictions: Float64Array;
  model: string;
  repeatMaxAbsDiff: number;
}

interface SideRunner {
  /** The process doing the work (its CPU time is not counted as background load). */
  readonly pid: number;
  repeat(): Promise<Repeat>;
  finish(): Promise<Finished>;
}

function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bench', 'lightgbm'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`project root not found above ${__dirname}`);
  }
}

function parseArgs(argv: string[], root: string): Options {
  const opts: Options = {
    repeats: 6,
    rounds: 200,
    cases: [CASES.small, CASES.large],
    threads: os.availableParallelism(),
    python: process.env.PYTHON ?? path.join(root, '.venv', 'bin', 'python'),
    outDir: path.join(root, 'bench', 'results'),
    sides: ['node', 'nodeOneThread', 'python'],
    idleWaitS: 60,
    retries: 3,
    reportOnly: false,
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
      case '--idle-wait': opts.idleWaitS = int(0); break;
      case '--retries': opts.retries = int(0); break;
      case '--report-only': opts.reportOnly = true; break;
      case '--no-python': opts.sides = opts.sides.filter((s) => s !== 'python'); break;
      case '--no-one-thread': opts.sides = opts.sides.filter((s) => s !== 'nodeOneThread'); break;
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
          '[--threads N] [--python PATH] [--out DIR] [--no-python] [--no-one-thread] [--idle-wait S] [--retries N] [--report-only]');
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

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** The binding, in this process, used as an application would: Dataset.fromMatrix, train(), predict(). */
function bindingRunner(lib: LightgbmLibrary, data: BenchData, params: Params, rounds: number): SideRunner {
  let current: { ds: Dataset; booster: Booster } | undefined;
  let first: Float64Array | undefined;
  let last: Float64Array | undefined;
  const release = () => {
    current?.booster.free();
    current?.ds.free();
    current = undefined;
  };
  return {
    pid: process.pid,
    async repeat() {
      release();
      const t0 = performance.now();
      const ds = await Dataset.fromMatrix(lib, data.xTrain, data.nTrain, data.ncol, data.yTrain, { params });
      const t1 = performance.now();
      const { booster } = await train(lib, params, ds, { numBoostRound: rounds });
      const t2 = performance.now();
      const pred = await booster.predict(data.xTest, data.nTest, data.ncol);
      const t3 = performance.now();
      current = { ds, booster };
      first ??= pred;
      last = pred;
      return {
        constructMs: t1 - t0,
        trainMs: t2 - t1,
        predictMs: t3 - t2,
        predictRowsPerSec: data.nTest / ((t3 - t2) / 1e3),
        iterations: booster.currentIteration(),
      };
    },
    async finish() {
      if (!current || !first || !last) throw new Error('finish before any repeat');
      const model = current.booster.saveModelToString();
      release();
      return { predictions: last, model, repeatMaxAbsDiff: maxAbsDiff(first, last) };
    },
  };
}

/** A child process speaking the line protocol of reference.py / one-thread.ts (one JSON line per command). */
class LineRunner implements SideRunner {
  private readonly lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private closed = false;

  private constructor(
    private readonly name: string,
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly outPred: string,
    private readonly outModel: string,
  ) {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(line);
      } else {
        this.lines.push(line);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    proc.on('close', () => {
      this.closed = true;
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
  }

  static async start(name: string, cmd: string, args: string[], tmp: string): Promise<{ runner: LineRunner; hello: Record<string, unknown> }> {
    const outPred = path.join(tmp, `${name}.pred`);
    const outModel = path.join(tmp, `${name}.model.txt`);
    const proc = spawn(cmd, [...args, '--out-pred', outPred, '--out-model', outModel], { stdio: ['pipe', 'pipe', 'pipe'] });
    const spawned = new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (did bash scripts/setup.sh run?)`)));
    });
    await spawned;
    const runner = new LineRunner(name, proc, outPred, outModel);
    return { runner, hello: await runner.next() };
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const take = (line: string | undefined) => {
        if (line === undefined) return reject(new Error(`${this.name} exited (code ${this.proc.exitCode})`));
        try {
          const msg = JSON.parse(line) as Record<string, unknown>;
          if (msg.error) reject(new Error(`${this.name}: ${String(msg.error)}`));
          else resolve(msg);
        } catch {
          reject(new Error(`${this.name} printed a non-JSON line: ${line}`));
        }
      };
      const queued = this.lines.shift();
      if (queued !== undefined) take(queued);
      else if (this.closed) take(undefined);
      else this.waiter = take;
    });
  }

  private async request(cmd: string): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${cmd}\n`);
    return this.next();
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  async repeat(): Promise<Repeat> {
    return (await this.request('repeat')) as unknown as Repeat;
  }

  async finish(): Promise<Finished> {
    const msg = await this.request('finish');
    this.proc.stdin.end();
    const bytes = fs.readFileSync(this.outPred);
    const predictions = new Float64Array(bytes.length / 8);
    new Uint8Array(predictions.buffer).set(bytes);
    return { predictions, model: fs.readFileSync(this.outModel, 'utf8'), repeatMaxAbsDiff: Number(msg.repeatMaxAbsDiff) };
  }

  kill(): void {
    if (!this.closed) this.proc.kill();
  }
}

function summarizeSide(label: string, repeats: Repeat[], nTest: number, repeatMaxAbsDiff: number): SideResult {
  const measured = repeats.slice(1); // the first repeat is the warm-up
  const summary = {} as SideResult['summary'];
  for (const m of ['constructMs', 'trainMs', 'predictMs', 'predictRowsPerSec'] as const) summary[m] = summarize(measured.map((r) => r[m]));
  summary.totalMs = summarize(measured.map((r) => r.constructMs + r.trainMs));
  return {
    label,
    repeats,
    summary,
    predictThroughput: { atMedian: nTest / (summary.predictMs.median / 1e3), atP95: nTest / (summary.predictMs.p95 / 1e3) },
    repeatMaxAbsDiff,
  };
}

/** a / b of the medians (throughput: of rows/s at the median prediction time). */
function ratios(a: SideResult, b: SideResult) {
  const r = (m: MetricName) => a.summary[m].median / b.summary[m].median;
  return {
    constructMs: r('constructMs'),
    trainMs: r('trainMs'),
    trainMsP95: a.summary.trainMs.p95 / b.summary.trainMs.p95,
    totalMs: r('totalMs'),
    predictMs: r('predictMs'),
    predictRowsPerSec: a.predictThroughput.atMedian / b.predictThroughput.atMedian,
  };
}

/** The trees of a model text ("Tree=0" ... "end of trees"), which must match when both sides trained alike. */
function treesOf(model: string): string[] {
  const start = model.indexOf('Tree=0');
  const end = model.indexOf('end of trees');
  if (start < 0 || end < 0) return [];
  return model.slice(start, end).split(/\n(?=Tree=\d+\n)/).map((t) => t.trim());
}

function agreement(a: Finished, b: Finished) {
  const [ta, tb] = [treesOf(a.model), treesOf(b.model)];
  const differing = ta.filter((t, i) => t !== tb[i]).length + Math.max(0, tb.length - ta.length);
  const diff = maxAbsDiff(a.predictions, b.predictions);
  return { predictionMaxAbsDiff: diff, predictionsIdentical: diff === 0, trees: ta.length, treesDiffering: differing };
}

/** Runs one repeat and measures the share of all CPUs that processes other than this benchmark's used meanwhile. */
async function timedRepeat(runner: SideRunner, ownPids: number[]): Promise<Repeat> {
  const meter = foreignCpuMeter(ownPids);
  meter.start();
  const rep = await runner.repeat();
  rep.foreignCpu = meter.stop();
  return rep;
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function koffiVersion(root: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'koffi', 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function runCase(spec: CaseSpec, lib: LightgbmLibrary, params: Params, opts: Options, tmp: string, root: string) {
  const dataFile = path.join(tmp, `${spec.name}.bin`);
  writeBenchData(dataFile, makeRegressionData(spec.nTrain, spec.nTest, spec.ncol, spec.seed));
  const data = readBenchData(dataFile); // measure on what was written: the bytes Python reads
  console.log(`\ncase ${spec.name}: train ${spec.nTrain} x ${spec.ncol}, held-out ${spec.nTest} x ${spec.ncol} ` +
    `(${fmt(fs.statSync(dataFile).size / 2 ** 20)} MiB file ${dataFile})`);

  const runners = new Map<SideName, SideRunner>();
  const children: LineRunner[] = [];
  let pythonHello: Record<string, unknown> | undefined;
  try {
    for (const side of opts.sides) {
      if (side === 'node') runners.set(side, bindingRunner(lib, data, params, opts.rounds));
      const common = ['--data', dataFile, '--params', JSON.stringify(params), '--rounds', String(opts.rounds)];
      if (side === 'nodeOneThread') {
        const { runner } = await LineRunner.start(`${spec.name}.one-thread`, process.execPath,
          [path.join(__dirname, 'one-thread.js'), ...common], tmp);
        children.push(runner);
        runners.set(side, runner);
      }
      if (side === 'python') {
        const { runner, hello } = await LineRunner.start(`${spec.name}.python`, opts.python,
          [path.join(root, 'bench', 'lightgbm', 'reference.py'), ...common], tmp);
        children.push(runner);
        runners.set(side, runner);
        pythonHello = hello;
      }
    }

    const repeats = new Map<SideName, Repeat[]>(opts.sides.map((s) => [s, []]));
    const loadAverage: number[] = [];
    const discarded: Array<Repeat & { side: SideName; repeat: number }> = [];
    for (let r = 0; r < opts.repeats; r++) {
      // Interleave the sides, rotating who goes first, so that drifting background load hits all alike.
      const order = opts.sides.map((_, i) => opts.sides[(i + r) % opts.sides.length]);
      for (const side of order) {
        for (let attempt = 0; ; attempt++) {
          // LightGBM's OpenMP threads spin while they wait for each other: a busy machine distorts timings badly.
          const ownPids = children.map((c) => c.pid);
          const busyBefore = opts.idleWaitS > 0 ? await waitForQuiet(ownPids, opts.idleWaitS) : undefined;
          const rep = await timedRepeat(runners.get(side)!, ownPids);
          if (busyBefore !== undefined) rep.busyBefore = busyBefore;
          const line = `  repeat ${r + 1}/${opts.repeats}${r === 0 ? ' (warm-up)' : '          '} ${side.padEnd(13)} ` +
            `construct ${fmt(rep.constructMs).padStart(8)} ms  train ${fmt(rep.trainMs).padStart(9)} ms  ` +
            `predict ${fmt(rep.predictMs).padStart(7)} ms  (other processes: ${rep.foreignCpu === undefined ? '?' : `${Math.round(rep.foreignCpu * 100)}%`} CPU)`;
          if ((rep.foreignCpu ?? 0) > 0.1 && attempt < opts.retries) {
            console.log(`${line}: disturbed, run again`);
            discarded.push({ ...rep, side, repeat: r + 1 });
            continue;
          }
          console.log(line);
          repeats.get(side)!.push(rep);
          break;
        }
      }
      loadAverage.push(Math.round(os.loadavg()[0] * 100) / 100);
    }

    const finished = new Map<SideName, Finished>();
    const sides: Partial<Record<SideName, SideResult>> = {};
    for (const side of opts.sides) {
      const fin = await runners.get(side)!.finish();
      finished.set(side, fin);
      sides[side] = summarizeSide(SIDE_LABELS[side], repeats.get(side)!, spec.nTest, fin.repeatMaxAbsDiff);
    }
    const pairs: Array<[SideName, SideName]> = [['node', 'python'], ['nodeOneThread', 'python'], ['node', 'nodeOneThread']];
    const comparisons: Record<string, { ratios: ReturnType<typeof ratios>; agreement: ReturnType<typeof agreement> }> = {};
    for (const [a, b] of pairs) {
      const [ra, rb, fa, fb] = [sides[a], sides[b], finished.get(a), finished.get(b)];
      if (ra && rb && fa && fb) comparisons[`${a}/${b}`] = { ratios: ratios(ra, rb), agreement: agreement(fa, fb) };
    }
    for (const [key, c] of Object.entries(comparisons)) {
      console.log(`  ${key}: medians ratio construct ${fmt(c.ratios.constructMs, 3)}, train ${fmt(c.ratios.trainMs, 3)}, ` +
        `predict rows/s ${fmt(c.ratios.predictRowsPerSec, 3)}; max |Δprediction| ${c.agreement.predictionMaxAbsDiff}, ` +
        `trees differing ${c.agreement.treesDiffering}/${c.agreement.trees}`);
    }
    return { ...spec, loadAverage1mAfterEachRepeat: loadAverage, discardedRepeats: discarded, sides, comparisons, pythonHello };
  } finally {
    for (const child of children) child.kill();
  }
}

async function main(): Promise<void> {
  const root = projectRoot();
  const opts = parseArgs(process.argv.slice(2), root);
  if (opts.reportOnly) {
    const report = JSON.parse(fs.readFileSync(path.join(opts.outDir, 'lightgbm.json'), 'utf8')) as Report;
    fs.writeFileSync(path.join(opts.outDir, 'lightgbm.md'), markdown(report));
    console.log(markdown(report));
    return;
  }
  const lib = loadLightgbm();
  const params = benchParams(opts);
  const machine = machineInfo();
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores (available parallelism ${machine.availableParallelism}), ` +
    `${machine.memoryGiB} GiB memory, ${machine.platform}; load average ${machine.loadAverage.join(' ')}`);
  console.log(`node ${process.version}, koffi ${koffiVersion(root)}, LightGBM ${lightgbmVersion(lib)} (${lib.path})`);
  console.log(`params ${JSON.stringify(params)}; ${opts.rounds} rounds; ${opts.repeats} repeats (first is warm-up, excluded)`);
  for (const v of ['UV_THREADPOOL_SIZE', 'OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'GOMP_SPINCOUNT']) {
    if (process.env[v] !== undefined) console.log(`${v}=${process.env[v]}`);
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-ml-bench-lgbm-'));
  const cases = [];
  try {
    for (const spec of opts.cases) cases.push(await runCase(spec, lib, params, opts, tmp, root));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const hello = cases.find((c) => c.pythonHello)?.pythonHello;
  const report: Report = {
    benchmark: 'LightGBM: koffi binding (src/lightgbm) vs the lightgbm Python package',
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    versions: {
      node: process.version,
      koffi: koffiVersion(root),
      lightgbmBinding: lightgbmVersion(lib),
      lightgbmLibrary: lib.path,
      python: hello?.python as string | undefined,
      lightgbmPython: hello?.lightgbm as string | undefined,
      lightgbmPythonLibrary: hello?.lightgbmLibrary as string | undefined,
      numpy: hello?.numpy as string | undefined,
    },
    params,
    rounds: opts.rounds,
    repeats: opts.repeats,
    warmupRepeatsExcluded: 1,
    environment: Object.fromEntries(['UV_THREADPOOL_SIZE', 'OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'GOMP_SPINCOUNT']
      .filter((v) => process.env[v] !== undefined).map((v) => [v, process.env[v]])),
    notes: [
      'construct = Dataset.fromMatrix / lgb.Dataset(X, label=y, params=params).construct(); train = train() / lgb.train() ' +
        '(booster creation and all rounds; no validation set, no early stopping); predict = one batch predict() of the held-out matrix.',
      'Summaries cover the repeats after the first (warm-up); p95 interpolates linearly between order statistics.',
      'Ratios are a / b of the medians: below 1 means a is faster for times, above 1 for throughput.',
      'Sides run interleaved, one repeat each in turn (rotating who goes first), node in this process, the others in child processes.',
      'Before each repeat the benchmark waits (--idle-wait, up to 60 s) for background CPU use below 15% (busyBefore); ' +
        'foreignCpu is the share of all cores that other processes used during the repeat; a repeat with more than 10% is ' +
        'run again (--retries, 3 times at most) and the disturbed attempt kept under discardedRepeats.',
      'nodeOneThread is a diagnostic: the same calls through the same koffi functions, all from one worker thread of a separate process.',
    ],
    cases: cases.map(({ pythonHello: _, ...c }) => c),
  };
  console.log(`\n${markdown(report)}`);
  writeResults('lightgbm', report, markdown(report), opts.outDir);
}

interface Report {
  benchmark: string;
  date: string;
  machine: ReturnType<typeof machineInfo> & { loadAverageAtEnd: number[] };
  versions: Record<string, string | undefined>;
  params: Params;
  rounds: number;
  repeats: number;
  warmupRepeatsExcluded: number;
  environment: Record<string, string | undefined>;
  notes: string[];
  cases: Array<CaseSpec & {
    loadAverage1mAfterEachRepeat: number[];
    discardedRepeats: Array<Repeat & { side: SideName; repeat: number }>;
    sides: Partial<Record<SideName, SideResult>>;
    comparisons: Record<string, { ratios: ReturnType<typeof ratios>; agreement: ReturnType<typeof agreement> }>;
  }>;
}

function markdown(report: Report): string {
  const m = report.machine;
  const v = report.versions;
  const lines = [
    '# LightGBM: koffi binding vs Python package',
    '',
    `${report.date} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${v.node}, koffi ${v.koffi}` +
      (v.python ? `, Python ${v.python}, numpy ${v.numpy}` : '') + ` · LightGBM ${v.lightgbmBinding}` +
      (v.lightgbmPython ? ` (both sides)` : ''),
    '',
    `Params: \`${Object.entries(report.params).map(([k, val]) => `${k}=${String(val)}`).join(' ')}\`; ${report.rounds} rounds; ` +
      `${report.repeats} interleaved repeats per side, the first (warm-up) excluded. Times in ms, median (p95); ` +
      `throughput in rows/s at the median (p95) prediction time; ratio = node / python of the medians.`,
    '',
    '| case | phase | node (binding) | python | node / python | node, one thread* | one thread / python |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const c of report.cases) {
    const s = c.sides;
    const np = c.comparisons['node/python']?.ratios;
    const op = c.comparisons['nodeOneThread/python']?.ratios;
    const cell = (r: SideResult | undefined, key: MetricName) =>
      r ? `${fmt(r.summary[key].median)} (${fmt(r.summary[key].p95)})` : '–';
    const tp = (r: SideResult | undefined) =>
      r ? `${fmt(r.predictThroughput.atMedian / 1e3, 0)}k (${fmt(r.predictThroughput.atP95 / 1e3, 0)}k)` : '–';
    const rat = (x: ReturnType<typeof ratios> | undefined, key: keyof ReturnType<typeof ratios>, bold = false) =>
      x ? (bold ? `**${fmt(x[key], 2)}**` : fmt(x[key], 2)) : '–';
    const label = `${c.name}: ${c.nTrain / 1000}k×${c.ncol}, predict ${c.nTest / 1000}k`;
    lines.push(`| ${label} | dataset construction | ${cell(s.node, 'constructMs')} | ${cell(s.python, 'constructMs')} | ${rat(np, 'constructMs')} | ${cell(s.nodeOneThread, 'constructMs')} | ${rat(op, 'constructMs')} |`);
    lines.push(`| | train (${report.rounds} rounds) | ${cell(s.node, 'trainMs')} | ${cell(s.python, 'trainMs')} | ${rat(np, 'trainMs', true)} | ${cell(s.nodeOneThread, 'trainMs')} | ${rat(op, 'trainMs', true)} |`);
    const best = (r: SideResult | undefined) => (r ? fmt(r.summary.trainMs.min) : '–');
    const bestRatio = (a: SideResult | undefined, b: SideResult | undefined) =>
      (a && b ? fmt(a.summary.trainMs.min / b.summary.trainMs.min, 2) : '–');
    lines.push(`| | train, fastest repeat | ${best(s.node)} | ${best(s.python)} | ${bestRatio(s.node, s.python)} | ${best(s.nodeOneThread)} | ${bestRatio(s.nodeOneThread, s.python)} |`);
    lines.push(`| | construction + train | ${cell(s.node, 'totalMs')} | ${cell(s.python, 'totalMs')} | ${rat(np, 'totalMs')} | ${cell(s.nodeOneThread, 'totalMs')} | ${rat(op, 'totalMs')} |`);
    lines.push(`| | predict time | ${cell(s.node, 'predictMs')} | ${cell(s.python, 'predictMs')} | ${rat(np, 'predictMs')} | ${cell(s.nodeOneThread, 'predictMs')} | ${rat(op, 'predictMs')} |`);
    lines.push(`| | predict rows/s | ${tp(s.node)} | ${tp(s.python)} | ${rat(np, 'predictRowsPerSec', true)} | ${tp(s.nodeOneThread)} | ${rat(op, 'predictRowsPerSec', true)} |`);
  }
  lines.push('', '\\* Diagnostic, not the binding: the same LightGBM calls (lib.api) made synchronously from one worker ' +
    'thread of a separate process, as Python makes them from its one thread. See bench/README.md.', '');
  for (const c of report.cases) {
    const parts = Object.entries(c.comparisons).map(([key, x]) =>
      `${key} max |Δprediction| = ${x.agreement.predictionMaxAbsDiff}, ${x.agreement.trees - x.agreement.treesDiffering}/${x.agreement.trees} trees identical`);
    if (parts.length) lines.push(`- ${c.name}: ${parts.join('; ')}.`);
  }
  const loads = report.cases.map((c) => `${c.name} ${c.loadAverage1mAfterEachRepeat.join('/')}`).join('; ');
  const foreign = report.cases.map((c) => {
    const all = Object.values(c.sides).flatMap((side) => side.repeats.slice(1).map((r) => r.foreignCpu ?? 0));
    return `${c.name} max ${Math.round(Math.max(...all) * 100)}%, median ${Math.round(quantile(all, 0.5) * 100)}%` +
      ` (${c.discardedRepeats.length} disturbed repeats run again)`;
  }).join('; ');
  lines.push(`- CPU used by other processes during the measured repeats (share of all cores): ${foreign}. ` +
    `1-minute load average after each round: ${loads}.`, '');
  return lines.join('\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
