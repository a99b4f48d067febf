/** Custom search attributes (registered by scripts/stack.sh at dev-server start) so users can filter in the Web UI. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PIPELINE = defineSearchAttributeKey('DmlPipeline', SearchAttributeType.KEYWORD);
export const DATASET = defineSearchAttributeKey('DmlDataset', SearchAttributeType.KEYWORD);
export const MLFLOW_RUN_ID = defineSearchAttributeKey('DmlMlflowRunId', SearchAttributeType.KEYWORD);
export const MODEL_VERSION = defineSearchAttributeKey('DmlModelVersion', SearchAttributeType.KEYWORD);
/** `<pipeline>:<partition>`, e.g. `power:2026-11-23`: how a scheduled run finds an earlier success for its partition. */
export const PARTITION = defineSearchAttributeKey('DmlPartition', SearchAttributeType.KEYWORD);
