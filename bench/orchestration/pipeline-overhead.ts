/**
 * The real pipeline workflow's own orchestration overhead: the Power workflow code (src/workflows) with no-op stub
 * activities on throwaway dev servers, wall time of a run minus the time its activities spent in their own code.
 * `old` is the workflow code of a base commit (bundled from `git archive <base> src`) on a dev server with the
 * settings scripts/stack.sh passed then (`--old-server eager`: eager dispatch only; `fast`: today's), `new` the
 * working tree's code on today's settings; both run at once, in alternating rounds.
 *   node build/bench/orchestration/pipeline-overhead.js [--runs 60] [--rounds 3] [--base 3f547f4] [--old-server eager]
 * Results: bench/results/pipeline-overhead.json and .md. The stub registration fails the gate (no model version),
 * so the champion-workflow hand-off is not part of it; prepare, train, evaluate, register and the bookkeeping are.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/config';
import { CATALOG } from '../../src/pipelines';
import { DEV_SERVER_EAGER_ARGS, DEV_SERVER_FAST_PATH_ARGS, percentile, startDevServer, type DevServer } from './dev-server';
import { machineInfo } from '../machine';
import { numberOption as option, stringOption } from '../cli-options';
import { writeResults } from '../write-results';


const RUNS = option('runs', 60);
const ROUNDS = option('rounds', 3);
const BASE = stringOption('base', '3f547f4');
const SERVER_ARGS = { eager: DEV_SERVER_EAGER_ARGS, fast: DEV_SERVER_FAST_PATH_ARGS };
const OLD_SERVER = stringOption('old-server', 'eager') as keyof typeof SERVER_ARGS;
if (!SERVER_ARGS[OLD_SERVER]) throw new Error(`--old-server: eager or fast, not ${OLD_SERVER}`);
const SEARCH_ATTRIBUTES = ['DmlPipeline', 'DmlDataset', 'DmlMlflowRunId', 'DmlModelVersion', 'DmlPartition'].flatMap((n) => ['--search-attribute', `${n}=Keyword`]);

/** No-op stages that add up the time spent inside them, per workflow run. */
function stubActivities(ownMs: Map<string, number>) {
  const timed =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      const t0 = performance.now();
      const { Context } = await import('@temporalio/activity');
      const key = Context.current().info.workflowExecution?.workflowId ?? '';
      try {
        return await fn(...args);
      } finally {
        ownMs.set(key, (ownMs.get(key) ?? 0) + performance.now() - t0);
      }
    };
  const run = { runId: 'r', experimentId: '1', artifactUri: 'mlflow-artifacts:/1/r/artifacts', runUrl: 'http://mlflow/#/runs/r' };
  return {
    startTrackingRun: timed(() => run),
    finishTrackingRun: timed(() => undefined),
    findFinishedPartition: timed(() => undefined),
    registerModel: timed(() => ({ modelName: 'power-consumption-model', modelUri: 'm', registered: false, champion: false, reason: 'gate failed' })),
    preparePower: timed(() => ({ dir: 'prepared/x', dataset: 'synthetic-tiny', counts: { n_test: 500 }, reused: false })),
    trainPowerModel: timed(() => ({ dir: 'models/x', format: 'lightgbm' as const, backend: 'stub', epochs: 1, metrics: {} })),
    evaluatePowerModel: timed(() => ({ metrics: { test_rmse: 5 }, artifacts: [] })),
  };
}

/** The dynamic-config values among a server's flags, for the report. */
const flagsOf = (args: string[]) => args.filter((a, i) => args[i - 1] === '--dynamic-config-value').join(', ');

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error, log: () => undefined };

/** The workflow bundle of `commit`'s src/ (TypeScript, bundled as the SDK does), using this checkout's node_modules. */
async function bundleAt(commit: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-base-'));
  execSync(`git archive ${commit} src | tar -x -C ${dir}`, { cwd: PROJECT_ROOT });
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return (await bundleWorkflowCode({ workflowsPath: path.join(dir, 'src', 'workflows', 'index.ts'), logger: quiet })).code;
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundles = {
    old: await bundleAt(BASE),
    new: (await bundleWorkflowCode({ workflowsPath: path.join(PROJECT_ROOT, 'src', 'workflows', 'index.ts'), logger: quiet })).code,
  };
  const serverArgs = { old: [...SEARCH_ATTRIBUTES, ...SERVER_ARGS[OLD_SERVER]], new: [...SEARCH_ATTRIBUTES, ...DEV_SERVER_FAST_PATH_ARGS] };
  const ownMs = new Map<string, number>();
  const servers: DevServer[] = [];
  const sides = await Promise.all(
    (['old', 'new'] as const).map(async (name) => {
      const server = await startDevServer(serverArgs[name]);
      servers.push(server);
      const client = new Client({ connection: server.connection });
      const connection = await NativeConnection.connect({ address: server.address });
      const taskQueue = `pipeline-${name}`;
      const worker = await Worker.create({ connection, taskQueue, workflowBundle: { code: bundles[name] }, activities: stubActivities(ownMs) });
      return { name, taskQueue, worker, running: worker.run(), client, connection };
    }),
  );
  const once = async ({ client, taskQueue }: (typeof sides)[number]) => {
    const workflowId = `power-${randomUUID()}`;
    const t0 = performance.now();
    await client.workflow.execute(CATALOG.power.workflowType, { taskQueue, workflowId, args: [{ taskQueues: { cpu: taskQueue, gpu: taskQueue } }] });
    const wall = performance.now() - t0;
    return { wall, overhead: wall - (ownMs.get(workflowId) ?? 0) };
  };
  try {
    for (const s of sides) for (let i = 0; i < 5; i++) await once(s);
    const loadBefore = os.loadavg();
    const samples: Record<string, { wall: number[]; overhead: number[] }> = { old: { wall: [], overhead: [] }, new: { wall: [], overhead: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...sides].reverse() : sides;
      for (const s of order) {
        for (let i = 0; i < Math.ceil(RUNS / ROUNDS); i++) {
          const { wall, overhead } = await once(s);
          samples[s.name].wall.push(wall);
          samples[s.name].overhead.push(overhead);
        }
      }
    }
    const loadAfter = os.loadavg();
    const summary = Object.fromEntries(
      Object.entries(samples).map(([name, s]) => [
        name,
        { runs: s.wall.length, wallMs: { median: percentile(s.wall, 50), p95: percentile(s.wall, 95) }, overheadMs: { median: percentile(s.overhead, 50), p95: percentile(s.overhead, 95) } },
      ]),
    );
    const result = { date: new Date().toISOString(), machine: machineInfo(), loadAverage: { before: loadBefore, after: loadAfter }, base: BASE, serverArgs, rounds: ROUNDS, sides: summary };
    const r1 = (x: number) => x.toFixed(1);
    const md = [
      '# Power pipeline workflow overhead (real workflow code, no-op stub activities)',
      '',
      `${result.date}; ${result.machine.cores} cores; load average before ${loadBefore.map((l) => l.toFixed(2)).join('/')}, after ${loadAfter.map((l) => l.toFixed(2)).join('/')} (shared machine: compare rows).`,
      `Dev servers in memory. old = workflow code of ${BASE} on ${flagsOf(serverArgs.old)}; new = this tree on ${flagsOf(serverArgs.new)}.`,
      '',
      '| side | runs | wall median (ms) | p95 | overhead median (ms) | p95 |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...Object.entries(summary).map(([n, s]) => `| ${n} | ${s.runs} | ${r1(s.wallMs.median)} | ${r1(s.wallMs.p95)} | ${r1(s.overheadMs.median)} | ${r1(s.overheadMs.p95)} |`),
      '',
      'Overhead = wall time (client start → result) minus the time spent inside the stub activities.',
      '',
    ].join('\n');
    writeResults('pipeline-overhead', result, md);
    console.log(md);
  } finally {
    for (const s of sides) s.worker.shutdown();
    await Promise.allSettled(sides.map((s) => s.running));
    for (const s of sides) await s.connection.close();
    for (const server of servers) await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
