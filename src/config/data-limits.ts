/**
 * The data limits' environment variables (DML_MAX_*, DML_READ_TIMEOUT_MS, DML_DATA_*_DATE, DML_POWER_MAX_KW), read
 * here with the rest of the configuration. A module of its own, without the Temporal client: data code reads its
 * defaults through it in training threads and CLI tools too. Read when called, so a test or tool can change them.
 */
import { DATA_LIMIT_ENV, DataLimits, dataLimitsFrom } from '../data/limits';

export function dataLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): DataLimits {
  const keys = Object.keys(DATA_LIMIT_ENV) as (keyof DataLimits)[];
  return dataLimitsFrom(Object.fromEntries(keys.map((key) => [key, env[DATA_LIMIT_ENV[key]]])));
}
