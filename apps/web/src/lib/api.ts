import type { ErrorBody } from '@atelier/contracts';
import { AtelierApiError, AtelierClient } from '@atelier/sdk';

/**
 * The one client the UI uses. It calls this web server's own origin, which forwards `/api/*` to
 * the Atelier API (app/api/[...path]/route.ts), so the browser needs no API URL and no CORS.
 * It holds no API key (`apiKey: ''` also keeps the SDK from reading `ATELIER_API_KEY` while
 * rendering on the server): the proxy attaches the signed-in session's key.
 */
export const api = new AtelierClient({ baseUrl: '', apiKey: '' });

/** The error body of a failed response from this server (the API's, or the proxy's own). */
export async function errorBodyOf(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return {
      code: 'INTERNAL',
      message: text.slice(0, 500) || response.statusText,
      requestId: response.headers.get('x-request-id') ?? 'unknown',
    };
  }
}

export type ErrorKind = 'unreachable' | 'api' | 'unexpected';

export interface ErrorInfo {
  kind: ErrorKind;
  title: string;
  message: string;
  status?: number;
  code?: string;
  requestId?: string;
  /** one line per problem, e.g. validation issues */
  details: string[];
}

/** Turns anything a call can throw into something a person can read and act on. */
export function describeError(error: unknown): ErrorInfo {
  if (error instanceof AtelierApiError) {
    // The API always answers with a JSON error body (so it has a request id). A 5xx without one
    // came from the proxy in front of it: the API is down or not reachable from the web server.
    if (error.status >= 500 && error.body.requestId === 'unknown') return unreachable();
    return {
      kind: 'api',
      title: `${titleFor(error.body.code)} (${error.status})`,
      message: error.body.message,
      status: error.status,
      code: error.body.code,
      requestId: error.body.requestId,
      details: detailLines(error.body.details),
    };
  }
  // fetch() rejects with a TypeError when the web server itself cannot be reached.
  if (error instanceof TypeError) return unreachable();
  return {
    kind: 'unexpected',
    title: 'Something went wrong',
    message: error instanceof Error ? error.message : String(error),
    details: [],
  };
}

function unreachable(): ErrorInfo {
  return {
    kind: 'unreachable',
    title: 'Cannot reach the API',
    message: 'The web server could not reach the Atelier API (its ATELIER_API_URL). Check that the API is running, then retry.',
    details: [],
  };
}

function titleFor(code: string): string {
  switch (code) {
    case 'BAD_REQUEST':
    case 'VALIDATION_FAILED':
      return 'The request was rejected';
    case 'UNAUTHENTICATED':
      return 'Not signed in';
    case 'FORBIDDEN':
      return 'Your role does not allow this';
    case 'RATE_LIMITED':
      return 'Too many requests';
    case 'NOT_FOUND':
      return 'Not found';
    case 'CONFLICT':
      return 'Conflict';
    case 'UNPROCESSABLE':
      return 'Cannot do that';
    case 'DEPENDENCY_UNAVAILABLE':
      return 'A service the API needs is unavailable';
    case 'MISSING_FEATURES':
      return 'Features the model needs are missing';
    case 'PAYLOAD_TOO_LARGE':
      return 'The request is too large';
    default:
      return 'The API failed';
  }
}

/** Validation details are usually a list of `{ path, message }`; anything else is shown as JSON. */
function detailLines(details: unknown): string[] {
  if (details === undefined || details === null) return [];
  const list = Array.isArray(details)
    ? details
    : typeof details === 'object' && details !== null && 'issues' in details && Array.isArray(details.issues)
      ? details.issues
      : [details];
  return list.map((item: unknown) => {
    if (item && typeof item === 'object' && 'message' in item) {
      const path = 'path' in item && Array.isArray(item.path) ? item.path.join('.') : '';
      return path ? `${path}: ${String(item.message)}` : String(item.message);
    }
    return typeof item === 'string' ? item : JSON.stringify(item);
  });
}
