/** Typed binding of LightGBM's C API (lib_lightgbm.so from the PyPI wheel) through koffi. */
export { Booster, type ImportanceType, type PredictOptions, type SaveModelOptions } from './booster';
export { Dataset, type DatasetOptions } from './dataset';
export { LightgbmError, LightgbmWorkerDiedError } from './errors';
export { lightgbmVersion, loadLightgbm, LightgbmLibrary } from './library';
export { resolveLibraryPath } from './locate';
export type { MatrixData } from './matrix';
export { formatParams, isHigherBetter, type ParamValue, type Params } from './params';
export { train, type IterationInfo, type TrainHistory, type TrainOptions, type TrainResult } from './train';
