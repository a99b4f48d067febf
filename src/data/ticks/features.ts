/**
 * Features per bar for forecasting the next bar's return: returns, moving-average ratios, RSI, MACD,
 * Bollinger %B, realised volatility, relative volume, and where the close sits in the recent volume profile.
 */
import { DataError } from '../errors';
import { bollinger, macd, realisedVol, rsi, sma, volumeProfile } from './indicators';
import type { Bar, FeatureTable } from './types';

export const BAR_FEATURE_NAMES = [
  'log_return',
  'close_sma10_ratio',
  'close_sma30_ratio',
  'rsi14',
  'macd_over_close',
  'macd_signal_over_close',
  'bollinger_pct_b',
  'realised_vol20',
  'log_volume_rel20',
  'close_poc30_ratio',
  'value_area30_position',
];

/**
 * Features for each bar from that bar and earlier ones only; the target is the next bar's log
 * return. Warm-up rows (any indicator still lacking its window) and the last bar are dropped.
 */
export function barFeatures(bars: Bar[]): FeatureTable {
  bars.forEach((b, i) => {
    if (b.symbol !== bars[0].symbol) throw new DataError(`mixed symbols ${bars[0].symbol} and ${b.symbol}`, undefined, `bar ${i}`);
    if (i > 0 && b.start <= bars[i - 1].start) throw new DataError('bars not in chronological order', undefined, `bar ${i}`);
    if (!(b.close > 0) || !(b.volume > 0)) throw new DataError('close and volume must be positive', undefined, `bar ${i}`);
  });
  const close = bars.map((b) => b.close);
  const logVolume = bars.map((b) => Math.log(b.volume));
  const logRet = close.map((c, i) => (i === 0 ? NaN : Math.log(c / close[i - 1])));
  const sma10 = sma(close, 10);
  const sma30 = sma(close, 30);
  const rsi14 = rsi(close, 14);
  const m = macd(close, 12, 26, 9);
  const pctB = bollinger(close, 20, 2).percentB;
  const vol20 = realisedVol(logRet, 20);
  const volumeMean20 = sma(bars.map((b) => b.volume), 20);
  const profile = volumeProfile(bars, 30, 10);
  // First index where every window is full: the MACD signal needs 26 + 9 - 1 closes.
  const warmUp = Math.max(1, 10 - 1, 30 - 1, 14, 26 - 1 + 9 - 1, 20 - 1, 20, 20 - 1, 30 - 1);

  const table: FeatureTable = { names: [...BAR_FEATURE_NAMES], rows: [], times: [], targets: [] };
  for (let i = warmUp; i < bars.length - 1; i++) {
    table.rows.push([
      logRet[i],
      close[i] / sma10[i] - 1,
      close[i] / sma30[i] - 1,
      rsi14[i],
      m.macd[i] / close[i],
      m.signal[i] / close[i],
      pctB[i],
      vol20[i],
      logVolume[i] - Math.log(volumeMean20[i]),
      close[i] / profile.poc[i] - 1,
      valueAreaPosition(close[i], profile.valueLow[i], profile.valueHigh[i]),
    ]);
    table.times.push(bars[i].start);
    table.targets.push(logRet[i + 1]);
  }
  return table;
}

/** Where the close sits in the value area: 0 at its low edge, 1 at its high edge, 0.5 when it has no width. */
function valueAreaPosition(close: number, low: number, high: number): number {
  return high > low ? (close - low) / (high - low) : 0.5;
}
