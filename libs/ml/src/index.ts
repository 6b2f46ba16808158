// @atelier/ml — pure TypeScript machine learning: datasets, trainers, metrics, statistics,
// expressions and ONNX export. No Nest, no database, no network.
export * from './dataset/dataset.split';
export * from './dataset/dataset.types';
export * from './expression/expression.compiler';
export * from './expression/expression.error';
export * from './linear/logistic-regression.model';
export * from './linear/logistic-regression.trainer';
export * from './linear/standardizer.fit';
export * from './metrics/metrics';
export * from './ml.error';
export * from './onnx/logistic-regression.onnx';
export * from './onnx/onnx.export';
export * from './onnx/onnx.metadata';
export * from './random/prng.util';
export * from './stats/distribution.stats';
export { selectTfBackend, type TfBackendName, type TfBackendSelection } from './tf/tf-backend.loader';
