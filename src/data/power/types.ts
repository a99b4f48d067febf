/** Shapes shared by the power generator, parser, resampler and features. */

export const POWER_HEADER =
  'Date;Time;Global_active_power;Global_reactive_power;Voltage;Global_intensity;Sub_metering_1;Sub_metering_2;Sub_metering_3';

export interface PowerReading {
  /** Epoch ms; the file's local timestamps are treated as UTC (the data has no zone). */
  ts: number;
  /** kW; null where the file has `?`. */
  globalActivePower: number | null;
  globalReactivePower: number | null;
  voltage: number | null;
  globalIntensity: number | null;
  subMetering1: number | null;
  subMetering2: number | null;
  subMetering3: number | null;
}

export interface HourlyPoint {
  ts: number;
  value: number;
  /** Readings averaged into this bucket; 0 means the value was filled in. */
  count: number;
}

export interface FeatureTable {
  names: string[];
  rows: number[][];
  times: number[];
  targets: number[];
}


export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
