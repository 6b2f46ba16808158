import type { ErrorCode } from '@atelier/contracts';
import { AtelierApiError } from '@atelier/sdk';
import { DomainError } from '@atelier/server';

/** The message of the domain error `run` throws, checked to carry `code` (a 400 by default). */
export function refusalOf(run: () => unknown, code: ErrorCode = 'BAD_REQUEST'): string {
  try {
    run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
    return error.message;
  }
  throw new Error(`expected a ${code} refusal; the call succeeded`);
}

/** The status and message of the error answer a client call ends with; fails if it succeeds or fails otherwise. */
export async function apiRefusal(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  const error = await call.then(
    () => new Error('expected an error answer; the call succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof AtelierApiError)) throw error;
  return { status: error.status, message: error.body.message };
}
