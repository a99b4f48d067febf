/** An expected failure of a prediction request (unknown model or alias, inputs that do not fit the model): the message says it all. */
export class PredictError extends Error {
  name = 'PredictError';
}
