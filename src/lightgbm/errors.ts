/** A LightGBM C API call returned -1; carries the function name and LightGBM's own message (LGBM_GetLastError). */
export class LightgbmError extends Error {
  constructor(
    /** The C function that failed, e.g. `LGBM_BoosterCreate`. */
    readonly functionName: string,
    /** LightGBM's message, as LGBM_GetLastError returned it. */
    readonly lightgbmMessage: string,
  ) {
    super(`${functionName} failed: ${lightgbmMessage}`);
    this.name = 'LightgbmError';
  }
}
