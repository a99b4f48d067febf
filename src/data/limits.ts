/**
 * Bounds on what input data may make a worker do: how big a file it reads, how long a read may take, which
 * dates a timestamp may carry, how many points a resampled series may have, what a power reading may be.
 * Defaults fit the real datasets with room to spare; each can be changed through the environment variable named in
 * DATA_LIMIT_ENV, read by src/config/data-limits.ts.
 */
export interface DataLimits {
  /** Largest raw file read into memory (bytes); also caps what one gzip stream may inflate to. */
  maxFileBytes: number;
  /** Longest a single file read may take before it fails (ms). */
  readTimeoutMs: number;
  /** Accepted timestamps lie in [minTime, maxTime), epoch ms. */
  minTime: number;
  maxTime: number;
  /** Largest evenly spaced series a resampling may build (points): the grid is allocated before the data fills it. */
  maxSeriesPoints: number;
  /** Largest plausible household power reading, kW (active or reactive); the UCI data peaks near 11 kW. */
  powerMaxKw: number;
}

export const DATA_LIMIT_ENV = {
  maxFileBytes: 'DML_MAX_INPUT_FILE_BYTES',
  readTimeoutMs: 'DML_READ_TIMEOUT_MS',
  minTime: 'DML_DATA_MIN_DATE',
  maxTime: 'DML_DATA_MAX_DATE',
  maxSeriesPoints: 'DML_MAX_SERIES_POINTS',
  powerMaxKw: 'DML_POWER_MAX_KW',
} as const satisfies Record<keyof DataLimits, string>;

export const DEFAULT_DATA_LIMITS: DataLimits = {
  maxFileBytes: 2 * 1024 ** 3,
  readTimeoutMs: 120_000,
  minTime: Date.UTC(1970, 0, 1),
  maxTime: Date.UTC(2100, 0, 1),
  // The real UCI file at one-minute buckets is 2.1M points.
  maxSeriesPoints: 5_000_000,
  powerMaxKw: 100,
};

/** The raw text of each limit's setting (src/config reads it from the environment); unset or empty = the default. */
export type DataLimitSettings = Partial<Record<keyof DataLimits, string | undefined>>;

function positive(settings: DataLimitSettings, key: keyof DataLimits): number {
  const raw = settings[key];
  if (raw === undefined || raw === '') return DEFAULT_DATA_LIMITS[key];
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${DATA_LIMIT_ENV[key]} must be a positive number, got '${raw}'`);
  return value;
}

function date(settings: DataLimitSettings, key: 'minTime' | 'maxTime'): number {
  const raw = settings[key];
  if (raw === undefined || raw === '') return DEFAULT_DATA_LIMITS[key];
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const ts = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || new Date(ts).toISOString().slice(0, 10) !== raw) throw new Error(`${DATA_LIMIT_ENV[key]} must be a YYYY-MM-DD date, got '${raw}'`);
  return ts;
}

/** Checked limits from their settings' text; errors name the environment variable the text came from. */
export function dataLimitsFrom(settings: DataLimitSettings): DataLimits {
  const limits: DataLimits = {
    maxFileBytes: positive(settings, 'maxFileBytes'),
    readTimeoutMs: positive(settings, 'readTimeoutMs'),
    minTime: date(settings, 'minTime'),
    maxTime: date(settings, 'maxTime'),
    maxSeriesPoints: positive(settings, 'maxSeriesPoints'),
    powerMaxKw: positive(settings, 'powerMaxKw'),
  };
  if (!(limits.minTime < limits.maxTime)) throw new Error(`${DATA_LIMIT_ENV.minTime} must be before ${DATA_LIMIT_ENV.maxTime}`);
  return limits;
}

export const isoDate = (ts: number): string => new Date(ts).toISOString().slice(0, 10);

/** "accepted dates 1970-01-01 to 2100-01-01 (DML_DATA_MIN_DATE, DML_DATA_MAX_DATE)": for messages. */
export function dateRangeText(limits: Pick<DataLimits, 'minTime' | 'maxTime'>): string {
  return `accepted dates ${isoDate(limits.minTime)} to ${isoDate(limits.maxTime)} (${DATA_LIMIT_ENV.minTime}, ${DATA_LIMIT_ENV.maxTime})`;
}
