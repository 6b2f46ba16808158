import { ErrorBody, WhoAmIResponse } from '@atelier/contracts';

export type KeyCheck = { ok: true; who: WhoAmIResponse } | { ok: false; status: number; body: ErrorBody };

const TIMEOUT_MS = 10_000;
/** printable ASCII without spaces: anything else cannot be a key, nor go into a header */
const HEADER_SAFE = /^[\x21-\x7e]{1,256}$/;

/**
 * Asks the API who a key belongs to (`GET /api/auth/whoami`). Refusals carry the API's own error
 * (its message is what the sign-in form shows); an API that cannot be reached or answers nonsense
 * is a 502 that says so. Never throws.
 */
export async function checkKey(api: string, key: string, fetchImpl: typeof fetch = fetch): Promise<KeyCheck> {
  if (!HEADER_SAFE.test(key)) {
    return refused(400, 'VALIDATION_FAILED', 'That is not an API key: keys are "atl_" followed by 40 letters and digits.');
  }
  let response: Response;
  try {
    response = await fetchImpl(`${api}/api/auth/whoami`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    // requestId "unknown" with a 5xx reads as "cannot reach the API" in the UI (describeError)
    return refused(502, 'DEPENDENCY_UNAVAILABLE', `cannot reach the Atelier API at ${api}`, 'unknown');
  }
  const json: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const body = ErrorBody.safeParse(json);
    return body.success
      ? { ok: false, status: response.status, body: body.data }
      : refused(502, 'DEPENDENCY_UNAVAILABLE', `the Atelier API at ${api} answered ${response.status} without an error body`, 'unknown');
  }
  const who = WhoAmIResponse.safeParse(json);
  return who.success
    ? { ok: true, who: who.data }
    : refused(502, 'INTERNAL', 'the API answered "who am I" with something this UI does not understand');
}

function refused(status: number, code: ErrorBody['code'], message: string, requestId = ''): KeyCheck {
  return { ok: false, status, body: { code, message, requestId } };
}
