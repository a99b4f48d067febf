/**
 * `durable-ml predict <pipeline> --model <name>@<alias|version> --input <files...>`: loads a registered model through
 * MLflow's registry (alias or version → artifacts through the server's proxy → a cache under the data root) and
 * predicts on files in the pipeline's own data format, read and featurised as prepare does.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Argument, Command } from 'commander';
import { PIPELINES, PipelineName } from '../../client';
import { CHAMPION_ALIAS } from '../../activities/registry';
import { DataError } from '../../data/errors';
import { MODEL_POLICIES } from '../../workflows/shared/gates';
import { downloadRegisteredModel, parseModelRef } from '../../serving/registered-model';
import { readModelInput, type RowKey } from '../../serving/inputs';
import { predictWith, type Predictions } from '../../serving/predict';
import { PredictError } from '../../serving/errors';
import { cliConfig, mlflowClient } from '../context';
import { CliError, UsageError } from '../errors';
import { formatNumber, printTable } from '../format';

const FLAVOR_OF: Record<PipelineName, string> = { mnist: 'tfjs', cifar10: 'tfjs', tick: 'tfjs', power: 'lightgbm' };

type PredictionRow = RowKey & { prediction: number; probability?: number; actual?: number };

/** One output row per input row: the class and its probability for classifiers, the value (and actual, if known) for power. */
function predictionRows(rows: RowKey[], p: Predictions, actual?: number[]): PredictionRow[] {
  return rows.map((key, i) => {
    if (p.width === 1) return { ...key, prediction: p.values[i], ...(actual && Number.isFinite(actual[i]) ? { actual: actual[i] } : {}) };
    const probs = Array.from(p.values.subarray(i * p.width, (i + 1) * p.width));
    const best = probs.indexOf(Math.max(...probs));
    return { ...key, prediction: best, probability: probs[best] };
  });
}

function toCsv(rows: PredictionRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict with a registered model (by alias or version) on files in the pipeline\'s own data format')
    .summary('predict with a registered model on data files')
    .addArgument(new Argument('<pipeline>', 'pipeline whose data format the inputs are in').choices(PIPELINES))
    .option('--model <name@alias|name@version>', `registered model (default: the pipeline's model @${CHAMPION_ALIAS})`)
    .requiredOption('--input <files...>', 'input files: MNIST IDX images, CIFAR-10 binary batches, UCI power .txt files')
    .option('--output <file>', 'write predictions to a .json or .csv file instead of printing a table')
    .addHelpText(
      'after',
      `
The model is resolved through MLflow's registry and downloaded into <data root>/cache/models (versions are cached;
aliases are resolved on every call). Power inputs need enough history for the model's lags; the latest rows, whose
target time lies past the data, are forecasts.

Examples:
  $ durable-ml predict mnist --input t10k-images-idx3-ubyte.gz
  $ durable-ml predict power --model ${MODEL_POLICIES.power.modelName}@${CHAMPION_ALIAS} --input household_power_consumption.txt --output forecast.csv
  $ durable-ml predict cifar10 --model ${MODEL_POLICIES.cifar10.modelName}@3 --input test_batch.bin --output predictions.json`,
    )
    .action(async (pipeline: PipelineName, opts: { model?: string; input: string[]; output?: string }) => {
      if (opts.output && !/\.(json|csv)$/i.test(opts.output)) throw new UsageError(`--output must end in .json or .csv, got '${opts.output}'`);
      const config = cliConfig();
      const ml = mlflowClient(config);
      try {
        const model = await downloadRegisteredModel(ml, parseModelRef(opts.model ?? `${MODEL_POLICIES[pipeline].modelName}@${CHAMPION_ALIAS}`), config.dataRoot);
        if (!(FLAVOR_OF[pipeline] in model.mlmodel.flavors)) {
          throw new PredictError(`${model.name} v${model.version} is not a ${pipeline} model (flavors: ${Object.keys(model.mlmodel.flavors).join(', ')})`);
        }
        const trainingParams = Object.fromEntries(((await ml.getRun(model.runId)).data.params ?? []).map((p) => [p.key, p.value]));
        const input = await readModelInput(pipeline, opts.input.map((f) => path.resolve(f)), trainingParams);
        const rows = predictionRows(input.rows, await predictWith(model, input, { lightgbmLib: config.lightgbmLib }), input.actual);
        const header = `${model.name} v${model.version} (run ${model.runId}): ${rows.length} predictions`;
        if (opts.output) {
          const body = opts.output.toLowerCase().endsWith('.csv') ? toCsv(rows) : JSON.stringify({ model: { name: model.name, version: model.version, runId: model.runId }, predictions: rows }, null, 1);
          await fs.writeFile(opts.output, body);
          console.log(`${header} written to ${opts.output}`);
          return;
        }
        console.log(header);
        const columns = Object.keys(rows[0] ?? {});
        printTable(columns.map((c) => c.toUpperCase()), rows.map((r) => columns.map((c) => (r[c] === undefined ? '-' : formatNumber(r[c])))));
      } catch (err) {
        // Bad files and models that do not fit the inputs are the user's to fix: the message, no stack.
        if (err instanceof PredictError || err instanceof DataError) throw new CliError(err.message);
        throw err;
      }
    });
}
