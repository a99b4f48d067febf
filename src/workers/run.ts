/** Runs workers of the given roles until SIGINT/SIGTERM, then shuts them down gracefully. */
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { ConfigError, loadConfig, processSettings } from '../config';
import { createWorkers, WorkerRole } from './create';
import { logger } from './logging';
import { watchEventLoop } from './event-loop';

export async function runWorkers(roles: WorkerRole[]): Promise<void> {
  const config = loadConfig();
  // Temporal's own logs go through the same JSON logger (with workflow/activity ids in their fields).
  // Prometheus metrics of the Temporal runtime (task latencies, slots, polls) for scraping; off unless configured.
  const metricsBind = processSettings.metricsBind();
  Runtime.install({
    ...(metricsBind ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsBind } } } } : {}),
    logger: new DefaultLogger(processSettings.logLevel(), (entry) =>
      logger[entry.level === 'TRACE' || entry.level === 'DEBUG' ? 'debug' : entry.level === 'WARN' ? 'warn' : entry.level === 'ERROR' ? 'error' : 'info'](
        entry.message,
        entry.meta,
      ),
    ),
  });
  const { workers, connection, compute } = await createWorkers({ roles, config });
  logger.info('workers running', {
    roles,
    metrics: metricsBind ? `http://${metricsBind}/metrics` : 'off',
    temporal: config.temporal.address,
    namespace: config.temporal.namespace,
    mlflow: config.mlflow.trackingUri,
    dataRoot: config.dataRoot,
    dataRootShared: config.dataRootShared,
    computeThreads: compute.threads,
  });
  // Watched from here on: loading the workflow bundle and the native addons above blocks by design.
  const eventLoop = watchEventLoop();
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    logger.info('workers stopped', { eventLoop: eventLoop.stop() });
    await compute.close();
    await connection.close();
  }
}

export function main(roles: WorkerRole[]): void {
  runWorkers(roles).then(
    () => process.exit(0),
    (err) => {
      // A configuration error is the whole story (which variables to fix); anything else keeps its stack.
      if (err instanceof ConfigError) logger.error('invalid configuration', { error: err.message });
      else logger.error('worker failed', { error: String(err?.stack ?? err) });
      process.exit(1);
    },
  );
}
