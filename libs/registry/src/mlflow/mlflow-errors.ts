import type { ErrorBody, ErrorCode, MlflowErrorBody, MlflowErrorCode } from '@atelier/contracts';

/**
 * MLflow's error body, `{ error_code, message }`, for an error Atelier's global filter made: the
 * error shape of the MLflow routes (see `shapeErrorsUnder`), so MLflow's client raises an
 * `MlflowException` with that code. The status stays Atelier's, which is MLflow's too for every
 * code both have.
 */
export function toMlflowErrorBody(_status: number, body: ErrorBody): MlflowErrorBody {
  return { error_code: mlflowCodeOf(body.code), message: body.message };
}

export function mlflowCodeOf(code: ErrorCode): MlflowErrorCode {
  switch (code) {
    case 'BAD_REQUEST':
    case 'VALIDATION_FAILED':
    case 'UNPROCESSABLE':
    case 'MISSING_FEATURES':
    case 'PAYLOAD_TOO_LARGE':
      return 'INVALID_PARAMETER_VALUE';
    case 'UNAUTHENTICATED':
      return 'UNAUTHENTICATED';
    case 'FORBIDDEN':
      return 'PERMISSION_DENIED';
    case 'NOT_FOUND':
      return 'RESOURCE_DOES_NOT_EXIST';
    case 'CONFLICT':
      return 'RESOURCE_CONFLICT';
    case 'RATE_LIMITED':
      return 'REQUEST_LIMIT_EXCEEDED';
    case 'DEPENDENCY_UNAVAILABLE':
      return 'TEMPORARILY_UNAVAILABLE';
    case 'INTERNAL':
      return 'INTERNAL_ERROR';
  }
}
