import { classificationReport, directionalAccuracy, mape, regressionMetrics } from '../../src/models/metrics';
import { backtest } from '../../src/models/backtest';

describe('classification report', () => {
  it('computes accuracy, confusion matrix and per-class scores exactly', () => {
    // 3 classes, 4 samples: predictions 0, 1, 1, 2; labels 0, 1, 2, 2.
    const p = Float32Array.from([0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8]);
    const r = classificationReport(p, [0, 1, 2, 2], 3);
    expect(r.accuracy).toBe(0.75);
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
    expect(r.perClass[1]).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(r.perClass[2]).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(r.logLoss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.8) + Math.log(0.3) + Math.log(0.8)) / 4, 6);
  });
});

describe('regression metrics', () => {
  it('computes MSE, RMSE, MAE', () => {
    expect(regressionMetrics([1, 2, 3], [1, 4, 0])).toEqual({ mse: 13 / 3, rmse: Math.sqrt(13 / 3), mae: 5 / 3 });
  });
  it('skips zero actuals in MAPE', () => {
    expect(mape([1, 5, 3], [2, 0, 4])).toBeCloseTo((0.5 + 0.25) / 2, 12);
    expect(mape([1], [0])).toBeNaN();
  });
  it('counts sign agreement', () => {
    expect(directionalAccuracy([1, -1, 1, 0], [2, -3, -1, 1])).toBe(0.5);
  });
});

describe('backtest', () => {
  it('has a known answer on a hand-made series', () => {
    // Long, long, short: returns +0.01, -0.02, -0.03; cost 0.001 per unit of position change.
    const r = backtest([1, 1, -1], [0.01, -0.02, -0.03], 0.001, 252);
    const pnl = [0.01 - 0.001, -0.02, 0.03 - 0.002];
    const mean = (pnl[0] + pnl[1] + pnl[2]) / 3;
    const std = Math.sqrt(pnl.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    expect(r.sharpe).toBeCloseTo((mean / std) * Math.sqrt(252), 10);
    expect(r.turnover).toBeCloseTo(3 / 3, 12);
    expect(r.totalReturn).toBeCloseTo(Math.exp(pnl[0] + pnl[1] + pnl[2]) - 1, 12);
    // Peak after bar 1 is exp(0.009); trough after bar 2 is exp(-0.011).
    expect(r.maxDrawdown).toBeCloseTo(1 - Math.exp(-0.011) / Math.exp(0.009), 12);
  });
  it('is flat with no signal', () => {
    const r = backtest([0, 0], [0.01, -0.01], 0.001, 252);
    expect(r).toMatchObject({ sharpe: 0, maxDrawdown: 0, totalReturn: 0, turnover: 0 });
  });
});
