/**
 * LIGHTGBM_LIB: the path of lib_lightgbm.so, when not the wheel in the project's .venv. A module of its own, without
 * the Temporal client, because the LightGBM loader (also in worker threads and bench tools) falls back to it.
 */
export const lightgbmLibFromEnv = (env: NodeJS.ProcessEnv = process.env): string | undefined => env.LIGHTGBM_LIB || undefined;
