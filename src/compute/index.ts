export { createComputePool, type ComputePool } from './pool';
export type { PowerArrays, PowerArraysRequest, TaskName } from './tasks';
