#!/usr/bin/env node
/**
 * durable-ml: the command line for the training pipelines. It starts and follows runs, inspects workflows,
 * manages schedules and backfills, and lists registered models. Each command group lives in ./commands.
 *
 * Exit codes: 0 success, 1 failure (a failed workflow, an unreachable service), 2 usage error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { processSettings, PROJECT_ROOT } from '../config';
import { registerBackfill } from './commands/backfill';
import { registerGpuCheck } from './commands/gpu-check';
import { registerList } from './commands/list';
import { registerModels } from './commands/models';
import { registerPredict } from './commands/predict';
import { registerSchedules } from './commands/schedules';
import { registerStart } from './commands/start';
import { registerStatus } from './commands/status';
import { configIfLoaded } from './context';
import { EXIT_USAGE, explain } from './errors';

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('durable-ml')
    .description('Run and inspect the durable-ml training pipelines (mnist, cifar10, tick, power) on Temporal and MLflow.')
    .version(version(), '-V, --version')
    // Throw instead of exiting, so usage errors get exit code 2 and every exit goes through main().
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Environment (defaults match the local stack from \`bash scripts/stack.sh start\`):
  TEMPORAL_ADDRESS     Temporal frontend (127.0.0.1:7233)     TEMPORAL_NAMESPACE  (default)
  TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE, TEMPORAL_API_KEY, TEMPORAL_TLS_*: as for the temporal CLI
  MLFLOW_TRACKING_URI  MLflow server (http://127.0.0.1:5000)  TEMPORAL_UI_URL     Web UI for links
  DML_CPU_QUEUE / DML_GPU_QUEUE  task queues the workers poll

Examples:
  $ durable-ml start power --source synthetic --param numBoostRound=50
  $ durable-ml status power-3f2a9c1b0d4e5f67
  $ durable-ml list --pipeline power --status Completed
  $ durable-ml schedules apply && durable-ml schedules list
  $ durable-ml backfill power --from 2025-01-01 --to 2025-01-08
  $ durable-ml models --pipeline power
  $ durable-ml predict power --input household_power_consumption.txt   # the champion's forecasts
  $ durable-ml gpu-check                  # backend, devices, CNN training speed

Run \`durable-ml <command> --help\` for the options of a command.`,
    );
  // Subcommands inherit exitOverride and showHelpAfterError from the program.
  registerStart(program);
  registerStatus(program);
  registerList(program);
  registerSchedules(program);
  registerBackfill(program);
  registerModels(program);
  registerPredict(program);
  registerGpuCheck(program);
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // Commander has already printed help or the usage error; only the exit code is left to choose.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    const { message, exitCode, stack } = explain(err, configIfLoaded());
    console.error(`error: ${message}`);
    if (stack) console.error(processSettings.debug() ? stack : '(unexpected error; set DML_DEBUG=1 to see the stack trace)');
    return exitCode;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
