/** Evaluation metrics, pure and exact, shared by the pipelines' evaluate activities. */

export interface ClassificationReport {
  accuracy: number;
  logLoss: number;
  confusion: number[][];
  perClass: { precision: number; recall: number; f1: number; support: number }[];
  macroF1: number;
}

/** probabilities: row-major [n × classes]; labels: class indices. */
export function classificationReport(probabilities: Float32Array, labels: ArrayLike<number>, classes: number): ClassificationReport {
  const n = labels.length;
  if (probabilities.length !== n * classes) throw new Error(`expected ${n * classes} probabilities, got ${probabilities.length}`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c] > probabilities[i * classes + best]) best = c;
    const truth = labels[i];
    confusion[truth][best]++;
    if (best === truth) correct++;
    logLoss -= Math.log(Math.max(probabilities[i * classes + truth], 1e-7));
  }
  const perClass = confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  return {
    accuracy: n ? correct / n : 0,
    logLoss: n ? logLoss / n : 0,
    confusion,
    perClass,
    macroF1: perClass.reduce((a, p) => a + p.f1, 0) / classes,
  };
}

export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
}

export function regressionMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): RegressionMetrics {
  const n = actual.length;
  if (predicted.length !== n) throw new Error(`expected ${n} predictions, got ${predicted.length}`);
  let se = 0;
  let ae = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i] - actual[i];
    se += d * d;
    ae += Math.abs(d);
  }
  const mse = n ? se / n : 0;
  return { mse, rmse: Math.sqrt(mse), mae: n ? ae / n : 0 };
}

/** Mean absolute percentage error over the points whose actual value is not (near) zero. */
export function mape(predicted: ArrayLike<number>, actual: ArrayLike<number>, epsilon = 1e-6): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i]) <= epsilon) continue;
    sum += Math.abs((predicted[i] - actual[i]) / actual[i]);
    count++;
  }
  return count ? sum / count : NaN;
}

/** Share of points where prediction and actual have the same sign (zeros count as misses). */
export function directionalAccuracy(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < actual.length; i++) if (predicted[i] * actual[i] > 0) hits++;
  return actual.length ? hits / actual.length : 0;
}
