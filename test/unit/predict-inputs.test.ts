/** Pure parts of `durable-ml predict`: model references, and forecast rows past the end of the power series. */
import { powerFeatures } from '../../src/data/power';
import { parseModelRef } from '../../src/serving/registered-model';

describe('model references', () => {
  it('reads name@alias and name@version', () => {
    expect(parseModelRef('power-consumption-model@champion')).toEqual({ name: 'power-consumption-model', alias: 'champion' });
    expect(parseModelRef('mnist-cnn@12')).toEqual({ name: 'mnist-cnn', version: '12' });
  });

  it.each(['mnist-cnn', 'mnist-cnn@', '@champion', 'a@b@c', 'mnist cnn@champion'])('refuses %p, naming the expected form', (text) => {
    expect(() => parseModelRef(text)).toThrow(`model '${text}' is not <name>@<alias> or <name>@<version>`);
  });
});

describe('power features for forecasting', () => {
  const series = Array.from({ length: 10 }, (_, i) => ({ ts: Date.UTC(2026, 0, 1, i), value: i * 1.5 }));

  it('keeps the rows whose target lies past the series, with a NaN target; the labelled rows are unchanged', () => {
    const opts = { lags: [2, 3], rolling: [2], horizon: 2 };
    const labelled = powerFeatures(series, opts);
    const all = powerFeatures(series, { ...opts, includeUnlabeled: true });
    expect(all.rows.slice(0, labelled.rows.length)).toEqual(labelled.rows);
    expect(all.targets.slice(0, labelled.rows.length)).toEqual(labelled.targets);
    expect(all.rows).toHaveLength(labelled.rows.length + 2);
    expect(all.targets.slice(-2)).toEqual([NaN, NaN]);
    // The last row uses the latest value as its newest lag: lag_2 of target t+2 is value[t].
    expect(all.rows[all.rows.length - 1][0]).toBe(series[9].value);
  });
});
