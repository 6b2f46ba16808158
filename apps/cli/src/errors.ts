import { AtelierApiError } from '@atelier/sdk';

/** What the process exits with: scripts tell a refused request from a mistyped command. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line itself is wrong (exit 2); the message says what to type instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something failed that is not the API's answer: a file, a training job (exit 1). */
export class CliError extends Error {
  override name = 'CliError';
}

/** Validation issues shown under a VALIDATION_FAILED answer; the rest are counted. */
const MAX_ISSUES = 10;

/**
 * The lines a person reads on stderr for `error`, never a stack trace: the API's own message
 * with its status and code, or what could not be reached, read or parsed.
 */
export function describeError(error: unknown, url: string): string[] {
  if (error instanceof AtelierApiError) return describeApiError(error);
  const unreachable = networkCause(error);
  if (unreachable) {
    return [`error: cannot reach Atelier at ${url} (${unreachable})`, 'hint: is the platform running? Point --url or ATELIER_URL at it.'];
  }
  if (error instanceof Error && error.name === 'TimeoutError') return [`error: no answer from Atelier at ${url} in time`];
  return [`error: ${error instanceof Error ? error.message : String(error)}`];
}

function describeApiError({ status, body }: AtelierApiError): string[] {
  const lines = [`error: ${body.message} (${status} ${body.code})`];
  if (body.code === 'VALIDATION_FAILED' && Array.isArray(body.details)) {
    const issues = body.details as Array<{ path?: string; message?: string }>;
    for (const issue of issues.slice(0, MAX_ISSUES)) lines.push(`  ${issue.path || '(body)'}: ${issue.message ?? ''}`);
    if (issues.length > MAX_ISSUES) lines.push(`  … and ${issues.length - MAX_ISSUES} more`);
  }
  if (status === 401) lines.push('hint: set ATELIER_API_KEY, pass --api-key, or run `atelier login`');
  if (status === 403) lines.push("hint: this key's role may not do that; ask an admin for an editor key");
  return lines;
}

/** fetch rejects with `TypeError: fetch failed` and the socket error as its cause. */
function networkCause(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : 'network error';
}
