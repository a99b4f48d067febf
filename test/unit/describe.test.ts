/** The Web UI descriptions of a run: workflow summary/details set at start, and each stage activity's summary. */
import { describeRun, stageSummaries } from '../../src/workflows/shared/describe';
import { parsePipelineInput } from '../../src/workflows/shared/input-schema';

const queues = { cpu: 'cpu', gpu: 'gpu' };

describe('describeRun', () => {
  it('sums a run up in one line: pipeline and model, data, length, partition', () => {
    const input = parsePipelineInput('mnist', { source: { kind: 'files' }, params: { epochs: 8 }, trainingDate: '2026-11-23' });
    expect(describeRun('mnist', input).summary).toBe('MNIST CNN · real IDX · 8 epochs · partition 2026-11-23');
  });

  it('names each pipeline by its model, its data and how long it trains', () => {
    expect(describeRun('cifar10', parsePipelineInput('cifar10', { source: { kind: 'synthetic', size: 'tiny' }, params: { model: 'mlp' } })).summary).toBe('CIFAR-10 MLP · synthetic tiny · 5 epochs');
    expect(describeRun('tick', parsePipelineInput('tick', { params: { cell: 'gru', units: 32 }, window: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' } })).summary).toBe(
      'Tick GRU(32) · tick CSV/Parquet · 5 epochs · partition 2026-01-01T00:00:00Z/2026-01-02T00:00:00Z',
    );
    expect(describeRun('power', parsePipelineInput('power', { source: { kind: 'files', dir: 'power/2026' } })).summary).toBe('Power LightGBM · UCI power text (power/2026) · 200 rounds');
  });

  it('says the partition of a scheduled run is its scheduled time (known only when it starts)', () => {
    const { summary, details } = describeRun('power', parsePipelineInput('power', {}), { scheduled: true });
    expect(summary).toBe('Power LightGBM · UCI power text · 200 rounds · partition = scheduled time');
    expect(details).toContain('**Partition** the scheduled time (see current details)');
  });

  it('details list every parameter with its default, the gate with overrides, and the task queues', () => {
    const input = parsePipelineInput('mnist', { params: { epochs: 2 }, gate: { test_accuracy: 0.9 }, taskQueues: { cpu: 'c1', gpu: 'g1' } });
    const { details } = describeRun('mnist', input);
    expect(details.split('\n\n')).toEqual([
      '**Pipeline** MNIST · prepare → train → evaluate → register',
      '**Data** real IDX',
      '**Partition** all data',
      '**Parameters** `model=cnn` `epochs=2` `batchSize=64` `learningRate=0.001` `validationFraction=0.1` `seed=42` `hiddenUnits=64`',
      '**Registers** `mnist-cnn-model` if test accuracy ≥ 0.9; champion by test accuracy',
      '**Task queues** cpu `c1`, gpu `g1`',
    ]);
  });
});

describe('stageSummaries', () => {
  it('names what each stage does and where training runs', () => {
    const s = stageSummaries('mnist', parsePipelineInput('mnist', { params: { epochs: 8 } }), queues);
    expect(s).toMatchObject({ prepare: 'prepare MNIST (real IDX)', train: 'train CNN on gpu, 8 epochs', register: 'register mnist-cnn-model if test accuracy ≥ 0.95' });
  });

  it('LightGBM trains on the CPU queue; tick registers on both of its gate metrics', () => {
    expect(stageSummaries('power', parsePipelineInput('power', { params: { numBoostRound: 300 } }), queues).train).toBe('train LightGBM on cpu, 300 rounds');
    expect(stageSummaries('tick', parsePipelineInput('tick', {}), queues).register).toBe('register tick-model if backtest sharpe ≥ 1.5 and backtest max drawdown ≤ 0.2');
  });
});
