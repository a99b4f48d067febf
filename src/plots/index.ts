/**
 * PNG charts for MLflow artifacts, rendered in Node: Vega-Lite spec → Vega SVG → resvg PNG, text in the bundled
 * DejaVu Sans (no system fonts needed). Output is deterministic: the same input gives the same bytes.
 */
export { PlotInputError } from './errors';
export { FONT_FAMILY } from './fonts';
export { MAX_POINTS, lttbIndices } from './downsample';
export { renderVegaLite, type RenderOptions, type ChartOptions } from './render';
export { learningCurvePng, metricFamily, type EpochMetrics, type LearningCurveOptions } from './learning-curve';
export { confusionMatrixPng, type ConfusionMatrixOptions } from './confusion-matrix';
export { barChartPng, type BarItem, type BarChartOptions } from './bar-chart';
export { lineChartPng, type LineSeries, type LineChartOptions } from './line-chart';
export { scatterPng, type ScatterOptions } from './scatter';
