/** Evaluation metrics, each equal to its scikit-learn counterpart (see metrics.spec.ts). */
export * from './classification.metrics';
export * from './multiclass.metrics';
export * from './ranking.metrics';
export * from './regression.metrics';
