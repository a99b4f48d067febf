/**
 * The main job: runs all four pipelines on small synthetic data through the real stack and prints
 * a summary table (pipeline, workflow id, MLflow run, key metric, registered version or why not).
 */
import { loadConfig } from '../config';
import { PipelineClient, PIPELINES, PipelineName, PipelineResult } from '../client';
import { CATALOG } from '../pipelines';
import { printTable } from './format';

async function main(): Promise<void> {
  const config = loadConfig();
  const client = await PipelineClient.connect(config);
  // One id per invocation: re-running the main job trains again instead of returning the last results.
  const batch = new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15);
  const started = Date.now();
  console.log(`Starting ${PIPELINES.length} pipelines (batch ${batch}) on synthetic data...`);
  const outcomes = await Promise.allSettled(
    PIPELINES.map(async (pipeline) => {
      const t0 = Date.now();
      // Small synthetic data sets in the real formats; sizes and epochs per pipeline in its catalog entry (mainJob).
      const { size, params } = CATALOG[pipeline].mainJob;
      const result = await client.execute(pipeline, { requestId: `main-${batch}`, input: { source: { kind: 'synthetic', size }, params } });
      console.log(`  ${pipeline} finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    }),
  );
  await client.close();

  console.log(`\nAll done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const rows = outcomes.map((o, i) => row(PIPELINES[i], o));
  printTable(['pipeline', 'workflow id', 'MLflow run', 'backend', 'key metric', 'registered'], rows);
  console.log('');
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') console.log(`${PIPELINES[i]}: ${o.value.registration.reason}\n  ${o.value.mlflowRunUrl}`);
  });
  if (outcomes.some((o) => o.status === 'rejected')) process.exitCode = 1;
}

function row(pipeline: PipelineName, o: PromiseSettledResult<PipelineResult>): string[] {
  if (o.status === 'rejected') return [pipeline, '-', '-', '-', 'FAILED', String(o.reason?.cause?.message ?? o.reason?.message ?? o.reason)];
  const r = o.value;
  const key = CATALOG[pipeline].policy.championMetric;
  const reg = r.registration;
  return [
    pipeline,
    r.workflowId,
    r.mlflowRunId,
    r.backend,
    `${key}=${r.metrics[key]?.toFixed(4)}`,
    reg.registered ? `${reg.modelName} v${reg.version}${reg.champion ? ' (champion)' : ''}` : `no: ${reg.reason.replace(/^gate failed: /, 'gate: ')}`,
  ];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
