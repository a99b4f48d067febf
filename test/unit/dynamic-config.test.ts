/**
 * The orchestration fast path is dev-server dynamic config set in two places: the flags scripts/stack.sh passes and
 * the benchmark's copy that measures them (bench/orchestration/dev-server.ts). They must say the same, or the
 * benchmark measures a setting nobody runs. (The cluster keeps the server's defaults: with 4 history shards the fast
 * path measured no gain there, bench/results/orchestration-cluster.md.)
 */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../../src/config';
import { DEV_SERVER_FAST_PATH_ARGS } from '../../bench/orchestration/dev-server';

const read = (rel: string) => fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8');

/** `KEY=value` pairs of `--dynamic-config-value` flags, values parsed as YAML scalars (true, 1000). */
function flagPairs(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  args.forEach((arg, i) => {
    if (args[i - 1] !== '--dynamic-config-value') return;
    const [key, value] = arg.split('=');
    out[key] = YAML.parse(value);
  });
  return out;
}

describe('Temporal dynamic config of the orchestration fast path', () => {
  const stackFlags = flagPairs(read('scripts/stack.sh').split(/\s+/));
  const benchFlags = flagPairs(DEV_SERVER_FAST_PATH_ARGS);

  it('is what the benchmark measures: the dev server in scripts/stack.sh gets exactly its flags', () => {
    expect(Object.keys(benchFlags)).toEqual(expect.arrayContaining(['history.transferProcessorMaxPollRPS', 'system.enableActivityEagerExecution']));
    expect(stackFlags).toEqual(benchFlags);
  });
});
