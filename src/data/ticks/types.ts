/** Shapes shared by the tick reader, bar aggregation and features. */

export interface Tick {
  /** Epoch milliseconds, UTC. */
  ts: number;
  symbol: string;
  price: number;
  size: number;
}

/** How many rows each cleaning rule dropped; every row counts once, in the first rule that drops it. */
export interface CleaningReport {
  rows: number;
  kept: number;
  outsideWindow: number;
  malformed: number;
  nonPositive: number;
  duplicates: number;
  outOfOrder: number;
  outliers: number;
}

export interface Bar {
  symbol: string;
  /** Interval start, epoch ms. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number;
  trades: number;
}

export interface FeatureTable {
  names: string[];
  rows: number[][];
  times: number[];
  targets: number[];
}

/** Half-open [start, end) in epoch ms. */
export interface TimeWindow {
  start: number;
  end: number;
}

export const TICKS_HEADER = 'timestamp,symbol,price,size';
/** Quotes are optional: a file may carry bid and ask after the trade columns (read, then not used by features). */
export const TICKS_HEADER_WITH_QUOTES = `${TICKS_HEADER},bid,ask`;
