/** How a pipeline's outcome is shown by `start` and `status`. */
import type { PipelineResult } from '../client';
import { formatMetrics } from './format';

export function registrationText(r: PipelineResult): string {
  const reg = r.registration;
  return reg.registered ? `${reg.modelName} v${reg.version}${reg.champion ? ' (champion)' : ''}` : `not registered (${reg.modelName})`;
}

export function printResult(r: PipelineResult, indent = '  '): void {
  const rows: [string, string | undefined][] = [
    ['partition', r.partition],
    // A scheduled run of an already-trained partition: what follows is the earlier run's result.
    ['skipped', r.skipped?.reason],
    ['backend', r.backend],
    ['metrics', formatMetrics(r.metrics)],
    ['model', registrationText(r)],
    ['reason', r.registration.reason],
    ['MLflow run', r.mlflowRunUrl],
  ];
  for (const [k, v] of rows) if (v) console.log(`${indent}${k.padEnd(11)}${v}`);
}
