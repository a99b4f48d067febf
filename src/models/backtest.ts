/**
 * A simple long/short backtest driven by predicted next-bar returns, with proportional transaction costs.
 * Convention: position p_t = sign(prediction_t) ∈ {-1, 0, 1}; bar PnL r_t = p_t · actual_t − cost · |p_t − p_{t−1}|
 * (log returns, cost as a fraction, e.g. 1 bp = 0.0001); Sharpe = mean(r)/std(r) · √(periodsPerYear), sample std;
 * equity is exp(cumulative r); max drawdown is the largest fractional fall of equity from a previous peak.
 */
export interface BacktestResult {
  sharpe: number;
  maxDrawdown: number;
  totalReturn: number;
  /** Average |Δposition| per bar. */
  turnover: number;
  equity: number[];
}

export function backtest(signals: ArrayLike<number>, actualReturns: ArrayLike<number>, cost: number, periodsPerYear: number): BacktestResult {
  const n = actualReturns.length;
  const pnl: number[] = [];
  const equity: number[] = [];
  let previous = 0;
  let cumulative = 0;
  let peak = 1;
  let maxDrawdown = 0;
  let traded = 0;
  for (let t = 0; t < n; t++) {
    const position = Math.sign(signals[t]);
    const change = Math.abs(position - previous);
    traded += change;
    const r = position * actualReturns[t] - cost * change;
    pnl.push(r);
    cumulative += r;
    const value = Math.exp(cumulative);
    equity.push(value);
    peak = Math.max(peak, value);
    maxDrawdown = Math.max(maxDrawdown, (peak - value) / peak);
    previous = position;
  }
  const mean = n ? pnl.reduce((a, b) => a + b, 0) / n : 0;
  const variance = n > 1 ? pnl.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const std = Math.sqrt(variance);
  return {
    sharpe: std > 0 ? (mean / std) * Math.sqrt(periodsPerYear) : 0,
    maxDrawdown,
    totalReturn: Math.exp(cumulative) - 1,
    turnover: n ? traded / n : 0,
    equity,
  };
}
