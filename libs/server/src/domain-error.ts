import type { ErrorCode } from '@atelier/contracts';

/**
 * An error a domain raises on purpose. The global filter turns it into
 * `{ code, message, details?, requestId }` with the status its code maps to.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (message: string, details?: unknown) => new DomainError('NOT_FOUND', message, details);
export const conflict = (message: string, details?: unknown) => new DomainError('CONFLICT', message, details);
export const badRequest = (message: string, details?: unknown) => new DomainError('BAD_REQUEST', message, details);
export const unprocessable = (message: string, details?: unknown) => new DomainError('UNPROCESSABLE', message, details);
export const payloadTooLarge = (message: string, details?: unknown) => new DomainError('PAYLOAD_TOO_LARGE', message, details);
export const missingFeatures = (message: string, details?: unknown) => new DomainError('MISSING_FEATURES', message, details);
export const unauthenticated = (message: string) => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const rateLimited = (message: string, details?: unknown) => new DomainError('RATE_LIMITED', message, details);
export const dependencyUnavailable = (message: string, details?: unknown) =>
  new DomainError('DEPENDENCY_UNAVAILABLE', message, details);

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'VALIDATION_FAILED':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNPROCESSABLE':
      return 422;
    case 'MISSING_FEATURES':
      return 424;
    case 'RATE_LIMITED':
      return 429;
    case 'DEPENDENCY_UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
  }
}
