/**
 * UCI "Individual household electric power consumption": a generator for offline runs, a
 * parser that tolerates (and reports) a few bad rows, hourly resampling with documented gap
 * filling, and leak-free forecasting features.
 */
export { POWER_HEADER } from './types';
export type { FeatureTable, HourlyPoint, PowerReading } from './types';
export { formatPowerDate, generatePowerText } from './generate';
export { parsePowerText, readPowerFile } from './parse';
export type { ParsedPower } from './parse';
export { resampleHourly } from './resample';
export { powerFeatures } from './features';
export { addPowerFile, buildPowerArrays, emptyPowerInput, POWER_SPLIT, powerFeatureTable } from './arrays';
export type { PowerInput, PowerReport } from './arrays';
