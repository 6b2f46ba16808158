export interface WebhookOptions {
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
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) return { delivered: false, attempts: attempt - 1, last: 'aborted' };
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'atelier-monitoring' },
        body: JSON.stringify(body),
        signal: anySignal(options.signal, AbortSignal.timeout(options.timeoutMs ?? 5000)),
      });
      await response.body?.cancel().catch(() => undefined);
      last = `HTTP ${response.status}`;
      if (response.ok) return { delivered: true, attempts: attempt, last };
      if (!isRetryable(response.status)) return { delivered: false, attempts: attempt, last };
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
