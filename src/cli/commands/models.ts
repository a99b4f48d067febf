/** `durable-ml models`: registered model versions per pipeline from MLflow, with the champion marked. */
import { Command, Option } from 'commander';
import { PIPELINES, PipelineName } from '../../client';
import { CHAMPION_ALIAS } from '../../activities/registry';
import { filterValue, MlflowClient } from '../../mlflow/client';
import type { ModelVersion } from '../../mlflow/types';
import { MODEL_POLICIES } from '../../workflows/shared/gates';
import { mlflowClient } from '../context';
import { formatNumber, formatTime, printJson, printTable } from '../format';

interface VersionView {
  version: string;
  runId: string | null;
  status: string | null;
  metric: number | null;
  createdAt: string | null;
  champion: boolean;
}

interface ModelView {
  pipeline: PipelineName;
  modelName: string;
  registered: boolean;
  championMetric: string;
  champion: string | null;
  versions: VersionView[];
}

export async function describeModel(ml: MlflowClient, pipeline: PipelineName): Promise<ModelView> {
  const policy = MODEL_POLICIES[pipeline];
  const base = { pipeline, modelName: policy.modelName, championMetric: policy.championMetric };
  const model = await ml.getRegisteredModel(policy.modelName);
  if (!model) return { ...base, registered: false, champion: null, versions: [] };
  const champion = model.aliases?.find((a) => a.alias === CHAMPION_ALIAS)?.version ?? (await ml.getVersionByAlias(policy.modelName, CHAMPION_ALIAS))?.version ?? null;
  const versions = await ml.searchModelVersions(`name = ${filterValue(policy.modelName)}`);
  versions.sort((a, b) => Number(b.version) - Number(a.version));
  const views = await Promise.all(versions.map((v) => versionView(ml, v, policy.championMetric, champion)));
  return { ...base, registered: true, champion, versions: views };
}

async function versionView(ml: MlflowClient, v: ModelVersion, metric: string, champion: string | null): Promise<VersionView> {
  let value: number | null = null;
  if (v.run_id) {
    // The run may have been deleted since; the version is still worth listing.
    const run = await ml.getRun(v.run_id).catch(() => undefined);
    value = run?.data.metrics?.find((m) => m.key === metric)?.value ?? null;
  }
  // creation_timestamp is part of MLflow's ModelVersion entity, though not of our narrow type.
  const created = (v as ModelVersion & { creation_timestamp?: number | string }).creation_timestamp;
  return {
    version: v.version,
    runId: v.run_id ?? null,
    status: v.status ?? null,
    metric: value,
    createdAt: created !== undefined ? new Date(Number(created)).toISOString() : null,
    champion: v.version === champion,
  };
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list registered model versions per pipeline (from MLflow) and which one is champion')
    .summary('list registered model versions and the champion')
    .addOption(new Option('--pipeline <pipeline>', 'only this pipeline').choices(PIPELINES))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ durable-ml models\n  $ durable-ml models --pipeline power --json')
    .action(async (opts: { pipeline?: PipelineName; json?: boolean }) => {
      const ml = mlflowClient();
      const models = [];
      for (const p of opts.pipeline ? [opts.pipeline] : PIPELINES) models.push(await describeModel(ml, p));
      if (opts.json) return printJson(models);
      models.forEach((m, i) => {
        if (i) console.log('');
        const direction = MODEL_POLICIES[m.pipeline].higherIsBetter ? 'higher is better' : 'lower is better';
        console.log(`${m.pipeline}: ${m.modelName}  (champion metric ${m.championMetric}, ${direction})`);
        if (!m.registered) return console.log('  no registered model yet: no run of this pipeline has passed its gate');
        console.log(`  champion: ${m.champion ? `v${m.champion}` : 'none'}`);
        printTable(
          ['VERSION', 'RUN ID', 'STATUS', m.championMetric.toUpperCase(), 'CREATED', 'ALIAS'],
          m.versions.map((v) => [v.version, v.runId ?? '-', v.status ?? '-', v.metric === null ? '-' : formatNumber(v.metric), formatTime(v.createdAt ? new Date(v.createdAt) : undefined), v.champion ? CHAMPION_ALIAS : '-']),
          (line) => console.log(`  ${line}`),
        );
      });
    });
}
