/**
 * The main job: runs all four pipelines on small synthetic data through the real stack and prints
 * a summary table (pipeline, workflow id, MLflow run, key metric, registered version or why not).
 */
import { loadConfig } from '../config';
import { PipelineClient, PIPELINES, PipelineName, PipelineProgress, PipelineResult } from '../client';
import { CATALOG } from '../pipelines';
import { MODEL_POLICIES } from '../workflows/shared/gates';
import { printTable } from './format';
import { watchAllUntilClosed } from './watch';

/** Said under the table: CIFAR-10 is trained for the plumbing only, and why it is not registered. */
const CIFAR10_NOTE =
  'cifar10 is not registered on purpose: its gate (test accuracy >= 0.85) takes 100+ epochs of the CNN on the real 50,000 images, ' +
  'about 8.5 min per epoch on this 2-core CPU (bench/cnn), i.e. many hours: a GPU worker\'s job. Here it trains 3 epochs on a tiny set to show the pipeline.';

async function main(): Promise<void> {
  const config = loadConfig();
  const client = await PipelineClient.connect(config);
  // One id per invocation: re-running the main job trains again instead of returning the last results.
  const batch = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const started = Date.now();
  console.log(`Starting ${PIPELINES.length} pipelines (batch ${batch}) on synthetic data...`);
  const starts = await Promise.allSettled(
    PIPELINES.map((pipeline) => {
      // Small synthetic data sets in the real formats; sizes and epochs per pipeline in its catalog entry (mainJob).
      const { size, params, momentum } = CATALOG[pipeline].mainJob as { size: 'tiny' | 'small'; params: Record<string, number>; momentum?: number };
      const source = { kind: 'synthetic' as const, size, ...(momentum === undefined ? {} : { momentum }) };
      return client.start(pipeline, { requestId: `main-${batch}`, input: { source, params } });
    }),
  );
  const results = starts.map((s) => (s.status === 'fulfilled' ? s.value.result() : Promise.reject(s.reason)));
  results.forEach((r) => r.catch(() => undefined)); // settled below; a failure is a row of the summary
  // One live line per pipeline: stage, epoch and loss while it runs, its key metric once done.
  await watchAllUntilClosed(
    client,
    PIPELINES.flatMap((pipeline, i) => {
      const s = starts[i];
      return s.status === 'fulfilled' ? [{ label: pipeline, handle: s.value, closed: results[i], outcome: (p: PipelineProgress | undefined) => keyMetric(pipeline, p?.evaluated) }] : [];
    }),
  );
  const outcomes = await Promise.allSettled(results);
  await client.close();

  console.log(`\nAll done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const rows = outcomes.map((o, i) => row(PIPELINES[i], o));
  printTable(['pipeline', 'workflow id', 'MLflow run', 'backend', 'key metric', 'registered'], rows);
  console.log('');
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') console.log(`${PIPELINES[i]}: ${o.value.registration.reason}\n  ${o.value.mlflowRunUrl}`);
  });
  console.log(`\n${CIFAR10_NOTE}`);
  if (outcomes.some((o) => o.status === 'rejected')) process.exitCode = 1;
}

function keyMetric(pipeline: PipelineName, metrics: Record<string, number> | undefined): string | undefined {
  const key = MODEL_POLICIES[pipeline].championMetric;
  return metrics?.[key] === undefined ? undefined : `${key}=${metrics[key].toFixed(4)}`;
}

function row(pipeline: PipelineName, o: PromiseSettledResult<PipelineResult>): string[] {
  if (o.status === 'rejected') return [pipeline, '-', '-', '-', 'FAILED', String(o.reason?.cause?.message ?? o.reason?.message ?? o.reason)];
  const r = o.value;
  const reg = r.registration;
  return [
    pipeline,
    r.workflowId,
    r.mlflowRunId,
    r.backend,
    keyMetric(pipeline, r.metrics) ?? '-',
    reg.registered ? `${reg.modelName} v${reg.version}${reg.champion ? ' (champion)' : ''}` : `no: ${reg.reason.replace(/^gate failed: /, 'gate: ')}`,
  ];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
