/**
 * Champion vs challenger on the same data: evaluation scores the current champion on the challenger's own test
 * rows (another partition than the champion's), logs `champion_test_rmse` beside `test_rmse`, and the alias moves
 * only if the challenger wins on those rows. Real LightGBM models, real MLflow registry, real workflows.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CHAMPION_ALIAS } from '../../src/activities/registry';
import { generatePowerText } from '../../src/data/power';
import { MODEL_POLICIES } from '../../src/workflows/shared/gates';
import { usePipelineStack } from '../helpers/stack';

const model = MODEL_POLICIES.power.modelName;
// A strong model and a nearly constant one (one boosting round at the default learning rate barely leaves the mean).
const STRONG = { numBoostRound: 150 };
const WEAK = { numBoostRound: 1 };

describe('champion vs challenger on the same data', () => {
  const stack = usePipelineStack();
  const train = (tag: string, trainingDate: string, params: Record<string, number>) =>
    stack.client.execute('power', {
      requestId: `same-data-${tag}-${stack.config.taskQueues.cpu}`,
      // Gate thresholds anything passes: only the champion comparison decides here.
      input: { source: { kind: 'synthetic', size: 'tiny' }, trainingDate, params, gate: { test_rmse: 1e9 } },
    });
  const metric = async (runId: string, key: string) => (await stack.mlflow.getRun(runId)).data.metrics?.find((m) => m.key === key)?.value;

  it('keeps a better champion and crowns a better challenger, each judged on the challenger’s partition', async () => {
    await stack.mlflow.deleteAlias(model, CHAMPION_ALIAS).catch(() => undefined);
    const strong = await train('strong', '2026-02-20', STRONG);
    expect(strong.registration.reason).toMatch(/first champion$/);

    // A weak challenger on a later partition is not promoted: the strong champion forecasts its rows better.
    const weak = await train('weak', '2026-03-01', WEAK);
    expect(weak.registration.registered).toBe(true);
    expect(weak.metrics.champion_version).toBe(Number(strong.registration.version));
    expect(weak.metrics.champion_test_rmse).toBeLessThan(weak.metrics.test_rmse);
    // Re-scored on the challenger's rows, not copied from the champion's own run.
    expect(weak.metrics.champion_test_rmse).not.toBe(strong.metrics.test_rmse);
    expect(await metric(weak.mlflowRunId, 'champion_test_rmse')).toBe(weak.metrics.champion_test_rmse);
    expect(weak.registration.champion).toBe(false);
    expect(weak.registration.reason).toContain(`champion stays v${strong.registration.version} (test_rmse`);
    expect(weak.registration.reason).toContain('on the same test data');
    expect((await stack.mlflow.getVersionByAlias(model, CHAMPION_ALIAS))?.version).toBe(strong.registration.version);

    // The other way round: with the weak model as champion, a strong challenger wins on its own rows and is promoted.
    await stack.mlflow.setAlias(model, CHAMPION_ALIAS, weak.registration.version!);
    const challenger = await train('strong-again', '2026-02-25', STRONG);
    expect(challenger.metrics.champion_version).toBe(Number(weak.registration.version));
    expect(challenger.metrics.test_rmse).toBeLessThan(challenger.metrics.champion_test_rmse);
    expect(challenger.registration.champion).toBe(true);
    expect(challenger.registration.reason).toMatch(/now champion \(test_rmse .* on the same test data\)/);
    expect((await stack.mlflow.getVersionByAlias(model, CHAMPION_ALIAS))?.version).toBe(challenger.registration.version);
  }, 600_000);

  /**
   * Readings for December and January; from 2026-01-15 on the household's load is ×1.8 and an electric car charges at
   * 4 kW from 01:00 to 05:00 (a new tenant): a model trained before the change forecasts the later weeks badly, while
   * its own test week was an easy one.
   */
  async function shiftedLoad(dir: string): Promise<void> {
    const lines = generatePowerText({ start: new Date(Date.UTC(2025, 11, 1)), days: 62, seed: 5 }).split('\n');
    const shifted = lines.map((line, i) => {
      const cols = line.split(';');
      const [d, m, y] = cols[0].split('/').map(Number);
      if (i === 0 || cols.length < 3 || cols[2] === '?' || Date.UTC(y, m - 1, d) < Date.UTC(2026, 0, 15)) return line;
      const hour = Number(cols[1].split(':')[0]);
      cols[2] = (Number(cols[2]) * 1.8 + (hour >= 1 && hour < 5 ? 4 : 0)).toFixed(3);
      return cols.join(';');
    });
    await fs.mkdir(path.join(stack.config.dataRoot, dir), { recursive: true });
    await fs.writeFile(path.join(stack.config.dataRoot, dir, 'household_power_consumption.txt'), shifted.join('\n'));
  }

  it('a champion better on its own window but worse on the challenger’s loses the alias, without any alias set by hand', async () => {
    await stack.mlflow.deleteAlias(model, CHAMPION_ALIAS).catch(() => undefined);
    await shiftedLoad('raw/shifted');
    const trainOn = (tag: string, trainingDate: string) =>
      stack.client.execute('power', {
        requestId: `same-data-shift-${tag}-${stack.config.taskQueues.cpu}`,
        input: { source: { kind: 'files', dir: 'raw/shifted' }, trainingDate, params: STRONG, gate: { test_rmse: 1e9 } },
      });
    const before = await trainOn('before', '2026-01-15');
    expect(before.registration.reason).toMatch(/first champion$/);
    const after = await trainOn('after', '2026-02-01');
    // On their own test weeks the old champion looks better: comparing those numbers would have kept it.
    expect(before.metrics.test_rmse).toBeLessThan(after.metrics.test_rmse);
    // On the challenger's rows (after the change) the old champion is worse, so the challenger takes the alias.
    expect(after.metrics.champion_version).toBe(Number(before.registration.version));
    expect(after.metrics.champion_test_rmse).toBeGreaterThan(after.metrics.test_rmse);
    expect(after.registration.champion).toBe(true);
    expect((await stack.mlflow.getVersionByAlias(model, CHAMPION_ALIAS))?.version).toBe(after.registration.version);
    console.log(`shifted load: champion v${before.registration.version} own test_rmse ${before.metrics.test_rmse}; challenger test_rmse ${after.metrics.test_rmse}, champion on the same rows ${after.metrics.champion_test_rmse}`);
  }, 600_000);
});
