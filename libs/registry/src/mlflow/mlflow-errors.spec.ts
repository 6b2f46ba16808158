import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  badRequest,
  conflict,
  dependencyUnavailable,
  forbidden,
  notFound,
  rateLimited,
  toErrorBody,
  unauthenticated,
} from '@atelier/server';

import { toMlflowErrorBody } from './mlflow-errors';

/** What an MLflow route answers to an error: Atelier's status, MLflow's body. */
const answer = (error: unknown) => {
  const { status, body } = toErrorBody(error, 'req-1');
  return { status, body: toMlflowErrorBody(status, body) };
};

describe('toMlflowErrorBody', () => {
  it("answers Atelier's errors with MLflow's codes, at the statuses MLflow gives them", () => {
    const cases: Array<[unknown, string, number]> = [
      [badRequest('bad'), 'INVALID_PARAMETER_VALUE', 400],
      [unauthenticated('who?'), 'UNAUTHENTICATED', 401],
      [forbidden('no'), 'PERMISSION_DENIED', 403],
      [notFound('Registered Model with name=x not found'), 'RESOURCE_DOES_NOT_EXIST', 404],
      [conflict('twice'), 'RESOURCE_CONFLICT', 409],
      [rateLimited('slow down'), 'REQUEST_LIMIT_EXCEEDED', 429],
      [dependencyUnavailable('database away'), 'TEMPORARILY_UNAVAILABLE', 503],
      [new Error('boom'), 'INTERNAL_ERROR', 500],
    ];
    for (const [error, code, status] of cases) {
      const { status: answered, body } = answer(error);
      expect({ code: body.error_code, status: answered }, String(error)).toEqual({ code, status });
      expect(Object.keys(body).sort()).toEqual(['error_code', 'message']);
    }
    expect(answer(notFound('Registered Model with name=x not found')).body.message).toBe('Registered Model with name=x not found');
    expect(answer(new Error('secret detail')).body.message).not.toContain('secret');
  });

  it('turns a refused request into INVALID_PARAMETER_VALUE naming the field', () => {
    const { status, body } = answer(z.object({ name: z.string() }).safeParse({}).error);
    expect(status).toBe(400);
    expect(body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/^invalid name: /) });
  });

  it('answers a body too large or not JSON (refused before any route runs) the same way', () => {
    const tooLarge = answer(Object.assign(new Error('Request body is too large'), { statusCode: 413 }));
    expect(tooLarge).toEqual({
      status: 413,
      body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('too large') },
    });
  });
});
