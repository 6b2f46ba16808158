import type { ErrorCode } from '@atelier/contracts';
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
