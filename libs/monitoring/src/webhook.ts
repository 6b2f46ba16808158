import { createHmac, randomBytes } from 'node:crypto';

/** The header each delivery is signed in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'atelier-signature';

/** A new per-monitor signing secret: `whsec_` and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The signature of one delivery, as Stripe and GitHub sign theirs: HMAC-SHA256 with the monitor's
 * secret over `<timestamp>.<body>`. A receiver recomputes it over the raw body it got and refuses
 * a mismatch, or a timestamp far from its clock (a replay).
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export interface WebhookOptions {
  /** signs each attempt (see signWebhook) */
  secret?: string | null;
  /** the clock of the signature's timestamp (tests) */
  now?: () => number;
  attempts?: number;
  /** wait before the second attempt; doubles after each failure */
  backoffMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface WebhookResult {
  delivered: boolean;
  attempts: number;
  /** the last HTTP status, or the network error's message */
  last: string;
  /** the receiver answered a 4xx other than 408 and 429: trying again will not help */
  refused?: true;
}

/**
 * POSTs `body` as JSON, retrying network errors, timeouts, 408, 429 and 5xx with exponential
 * backoff. Any other 4xx is the receiver refusing the request and is not retried.
 * Never throws: the caller is a background task.
 */
export async function postWebhook(url: string, body: unknown, options: WebhookOptions = {}): Promise<WebhookResult> {
  const attempts = options.attempts ?? 3;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  let backoff = options.backoffMs ?? 500;
  let last = '';
  const payload = JSON.stringify(body);
  const now = options.now ?? Date.now;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) return { delivered: false, attempts: attempt - 1, last: 'aborted' };
    try {
      const signature: Record<string, string> = options.secret
        ? { [SIGNATURE_HEADER]: signWebhook(options.secret, payload, Math.floor(now() / 1000)) }
        : {};
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'atelier-monitoring', ...signature },
        body: payload,
        signal: anySignal(options.signal, AbortSignal.timeout(options.timeoutMs ?? 5000)),
      });
      await response.body?.cancel().catch(() => undefined);
      last = `HTTP ${response.status}`;
      if (response.ok) return { delivered: true, attempts: attempt, last };
      if (!isRetryable(response.status)) return { delivered: false, attempts: attempt, last, refused: true };
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (attempt < attempts) {
      await sleep(backoff, options.signal);
      backoff *= 2;
    }
  }
  return { delivered: false, attempts, last };
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
