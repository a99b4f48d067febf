/**
 * A throwaway Temporal dev server (the project's `.venv/bin/temporal`) on a free port, for the orchestration benches,
 * and the dev-server settings of the fast orchestration path (issue 16) that scripts/stack.sh passes too: keep the
 * two in step. What each buys: bench/results/orchestration.md and the README's performance table.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../src/config';

export interface DevServer {
  address: string;
  /** The server's process id, when known (for its CPU time); absent for a running server whose pid was not given. */
  pid?: number;
  connection: Connection;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Dev-server dynamic config (scripts/stack.sh passes the same flags): eager activity dispatch hands a workflow's
 * next activity on the same task queue back in the response to the workflow task that scheduled it, and eager
 * workflow start hands the first workflow task back in the response to the start request, skipping a matching
 * round trip each. A production cluster enables them in its own dynamic config.
 */
export const DEV_SERVER_EAGER_ARGS = [
  '--dynamic-config-value',
  'system.enableActivityEagerExecution=true',
  '--dynamic-config-value',
  'system.enableEagerWorkflowStart=true',
];

/**
 * The history service hands a new workflow or activity task to matching from its transfer queue, and reads that
 * queue at most `history.transferProcessorMaxPollRPS` times a second per shard (default 20). The dev server has one
 * shard, so every workflow task that followed an activity waited for the next read: 30 ms on average of the 62 ms
 * per stage. 1000 reads a second leave at most 1 ms, and a read under load still takes a whole batch. The 4-shard
 * cluster of scripts/cluster.sh keeps the default: one-at-a-time runs spread over its shards stay under the limit,
 * and there the fast path measured no gain (bench/results/orchestration-cluster.md).
 */
export const TRANSFER_QUEUE_FAST_READ_ARGS = ['--dynamic-config-value', 'history.transferProcessorMaxPollRPS=1000'];

export const DEV_SERVER_FAST_PATH_ARGS = [...DEV_SERVER_EAGER_ARGS, ...TRANSFER_QUEUE_FAST_READ_ARGS];

/**
 * The dev server's SQLite file (scripts/stack.sh `--db-filename`) in WAL mode with synchronous=NORMAL: commits
 * append to the log instead of syncing the database file, and a crash of the machine (not of the server) can lose
 * only the last transactions, as for any WAL database; fine for a development stack.
 */
export const SQLITE_FAST_PRAGMA_ARGS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

/** In memory unless `args` name a `--db-filename`; `--log-level error` so its logging costs nothing measurable. */
export async function startDevServer(args: string[]): Promise<DevServer> {
  const port = await freePort();
  const temporal = path.join(PROJECT_ROOT, '.venv', 'bin', 'temporal');
  const proc = spawn(temporal, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error', ...args], { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  for (let i = 0; i < 60; i++) {
    const connection = await Connection.connect({ address, connectTimeout: 1000 }).catch(() => undefined);
    if (connection) {
      return {
        address,
        pid: proc.pid,
        connection,
        async stop() {
          await connection.close().catch(() => undefined);
          proc.kill('SIGTERM');
        },
      };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  proc.kill('SIGTERM');
  throw new Error('dev server did not start');
}

/** A server already running at `address` (not stopped here); `pid` > 0 lets a benchmark read its CPU time. */
export async function runningServer(address: string, pid: number): Promise<DevServer> {
  const connection = await Connection.connect({ address });
  return { address, pid: pid > 0 ? pid : undefined, connection, stop: () => connection.close() };
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
