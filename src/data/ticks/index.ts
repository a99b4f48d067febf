/**
 * Trade ticks → cleaned ticks → OHLCV bars → features. Tick-level work (parsing, cleaning, aggregation) runs in
 * nodejs-polars; bar-level indicators are plain, exact TypeScript.
 */
export * from './types';
export { generateTicks, MAX_MOMENTUM, writeTicksCsv, writeTicksParquet } from './generate';
export { addCleaningReports, assertCleanEnough, readTicks, readTicksList, ticksOf } from './clean';
export type { CleanTicks, CleaningOptions } from './clean';
export { toBars } from './bars';
export { bollinger, ema, macd, realisedVol, rsi, sma, volumeProfile } from './indicators';
export { BAR_FEATURE_NAMES, barFeatures } from './features';
export { buildTickArrays, TICK_SPLIT } from './arrays';
