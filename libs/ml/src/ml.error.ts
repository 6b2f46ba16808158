/**
 * Every error `@atelier/ml` throws on bad input carries a code, so the services that call it can
 * map it to a 4xx with an actionable message instead of a 500.
 */
export type MlErrorCode =
  | 'invalid_dataset'
  | 'invalid_params'
  | 'invalid_model'
  | 'invalid_metric_input'
  | 'invalid_expression';

export class MlError extends Error {
  override readonly name: string = 'MlError';

  constructor(
    readonly code: MlErrorCode,
    message: string,
  ) {
    super(message);
  }
}
