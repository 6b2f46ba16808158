/**
 * Any model's batch prediction: one column per dataset feature (dataset order, NaN = missing) in,
 * one score per row out. Explanations only call this, so they work for every trainer, and for an
 * ONNX session wrapped in a function.
 */
export type BatchPredictFn = (columns: Float64Array[]) => Float64Array;

/** A quality metric of labels and predictions, e.g. `rocAuc` or `rmse`. */
export type LabelMetricFn = (y: Float64Array, prediction: Float64Array) => number;
