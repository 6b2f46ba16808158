import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ZodError } from 'zod';

import type { ErrorBody, ErrorCode } from '@atelier/contracts';

import { DomainError, httpStatusOf } from './domain-error';
import { requestIdOf } from './request-id.middleware';

/** The one place where any thrown error becomes Atelier's error shape. */
@Catch()
export class AtelierErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { status, body } = this.toBody(error, requestIdOf(request));
    if (status >= 500) {
      this.logger.error({
        msg: 'request failed',
        requestId: body.requestId,
        method: request.method,
        path: request.url,
        error: error instanceof Error ? error.stack : String(error),
      });
    }
    response.status(status).json(body);
  }

  private toBody(error: unknown, requestId: string): { status: number; body: ErrorBody } {
    if (error instanceof DomainError) {
      return { status: httpStatusOf(error.code), body: { code: error.code, message: error.message, details: error.details, requestId } };
    }
    if (error instanceof ZodError) {
      const details = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const first = details[0];
      const message = first ? `invalid ${first.path || 'input'}: ${first.message}` : 'invalid input';
      return { status: 400, body: { code: 'VALIDATION_FAILED', message, details, requestId } };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const code: ErrorCode = status === 404 ? 'NOT_FOUND' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
      return { status, body: { code, message: messageOf(error), requestId } };
    }
    if (isBodyParserError(error)) {
      return { status: error.status, body: { code: 'BAD_REQUEST', message: `request body: ${error.message}`, requestId } };
    }
    return { status: 500, body: { code: 'INTERNAL', message: 'internal error; the request id is in the server log', requestId } };
  }
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}

function isBodyParserError(error: unknown): error is { status: number; message: string } {
  const e = error as { type?: unknown; status?: unknown };
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}
