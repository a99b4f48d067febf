/** The pipeline catalog is the one source of per-pipeline facts: the derived tables agree with it. */
import { CATALOG, PIPELINE_NAMES } from '../../src/pipelines';
import * as workflows from '../../src/workflows';
import { WORKFLOW_TYPE } from '../../src/client';
import { EXPERIMENT_OF } from '../../src/activities/tracking';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { DEFAULT_PARAMS } from '../../src/workflows/shared/defaults';
import { defaultParams } from '../../src/workflows/shared/input-schema';
import { parseScheduleConfig } from '../../src/schedules/config';
import { scheduleOptions } from '../../src/schedules/apply';

describe('pipeline catalog', () => {
  it('lists each pipeline under its own name, with a workflow function of its workflow type', () => {
    expect(Object.keys(CATALOG)).toEqual([...PIPELINE_NAMES]);
    for (const p of PIPELINE_NAMES) {
      expect(CATALOG[p].name).toBe(p);
      expect(typeof (workflows as Record<string, unknown>)[CATALOG[p].workflowType]).toBe('function');
    }
  });

  it('is where the client, tracking, gates and defaults read their per-pipeline values', () => {
    expect(WORKFLOW_TYPE).toEqual({ mnist: 'mnistTraining', cifar10: 'cifar10Training', tick: 'tickTraining', power: 'powerTraining' });
    expect(EXPERIMENT_OF).toEqual({ mnist: 'durable-ml-mnist', cifar10: 'durable-ml-cifar10', tick: 'durable-ml-tick', power: 'durable-ml-power' });
    for (const p of PIPELINE_NAMES) {
      expect(MODEL_POLICIES[p]).toBe(CATALOG[p].policy);
      // The schema's defaults are the catalog's: parsing `{}` gives them back exactly.
      expect(defaultParams(p)).toEqual(CATALOG[p].params.defaults);
      expect(DEFAULT_PARAMS[p]).toEqual(CATALOG[p].params.defaults);
    }
  });

  it('gives each pipeline one priority, used by schedule actions as by client starts and activities', () => {
    expect(Object.fromEntries(PIPELINE_NAMES.map((p) => [p, CATALOG[p].priority]))).toEqual({ mnist: 3, cifar10: 3, tick: 1, power: 2 });
    const config = parseScheduleConfig({ schedules: PIPELINE_NAMES.map((p) => ({ id: `${p}-daily`, pipeline: p, cron: ['0 1 * * *'], timeZone: 'UTC' })) });
    for (const entry of config.schedules) {
      const action = scheduleOptions(entry, { cpu: 'cpu', gpu: 'gpu' }).action as { priority?: { priorityKey?: number } };
      expect(action.priority).toEqual({ priorityKey: CATALOG[entry.pipeline].priority });
    }
  });

  it('main-job overrides are valid parameters of their pipeline', () => {
    for (const p of PIPELINE_NAMES) {
      for (const key of Object.keys(CATALOG[p].mainJob.params)) expect(Object.keys(CATALOG[p].params.defaults)).toContain(key);
    }
  });
});
