import { applyDecorators, HttpCode, type PipeTransform } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { ErrorBody } from '@atelier/contracts';

import { badRequest } from './domain-error';

type JsonSchema = Record<string, unknown>;

/** The OpenAPI schema of a zod contract: the contract is the single source. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

export interface EndpointOptions {
  summary: string;
  tag: string;
  body?: z.ZodType;
  /** a multipart/form-data body: one file part and the text fields of `fields` (read with `readUpload`) */
  upload?: { file: string; fields: z.ZodType };
  query?: z.ZodObject;
  response?: z.ZodType;
  /** the success response is bytes of this content type (e.g. `application/octet-stream`), not JSON */
  binary?: string;
  status?: number;
  /** the error body, for a protocol route that answers errors in its protocol's shape (default: Atelier's `ErrorBody`) */
  errors?: z.ZodType;
}

/** Documents a route from its zod contracts (immich's `@Endpoint`), errors included. */
export function Endpoint(options: EndpointOptions): MethodDecorator {
  const status = options.status ?? 200;
  const errors = openApiSchema(options.errors ?? ErrorBody);
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [
    ApiTags(options.tag),
    ApiOperation({ summary: options.summary }),
    HttpCode(status),
    successResponse(status, options),
    ApiResponse({ status: 400, description: 'invalid input', schema: errors }),
  ];
  // any other status is an error in Atelier's one shape (401, 403, 404, 409, 413, 422, 424, 429, 503)
  decorators.push(ApiResponse({ status: 'default', description: 'an error', schema: errors }));
  if (options.body) decorators.push(ApiBody({ schema: openApiSchema(options.body, 'input') }));
  if (options.upload)
    decorators.push(ApiConsumes('multipart/form-data'), ApiBody({ schema: uploadSchema(options.upload.file, options.upload.fields) }));
  for (const [name, field] of Object.entries(options.query?.shape ?? {})) {
    decorators.push(
      ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: openApiSchema(field as z.ZodType, 'input') }),
    );
  }
  const documented = applyDecorators(...(decorators as MethodDecorator[]));
  return (target, key, descriptor) => {
    documented(target, key, descriptor);
    documentPathParams(target, key, descriptor);
  };
}

function successResponse(status: number, options: EndpointOptions): MethodDecorator {
  if (status === 204) return ApiResponse({ status, description: 'done; no content' });
  if (options.binary)
    return ApiResponse({
      status,
      description: 'the bytes',
      content: { [options.binary]: { schema: { type: 'string', format: 'binary' } } },
    });
  return ApiResponse({ status, schema: options.response ? openApiSchema(options.response) : { type: 'object' } });
}

function uploadSchema(file: string, fields: z.ZodType): JsonSchema {
  const form = openApiSchema(fields, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return {
    type: 'object',
    properties: { [file]: { type: 'string', format: 'binary' }, ...form.properties },
    required: [file, ...(form.required ?? [])],
  };
}

/**
 * Path parameters parsed with `@Param(name, new ZodPipe(Schema))` are documented from the same
 * schema (parameter decorators have run when a method decorator does).
 */
function documentPathParams(target: object, key: string | symbol, descriptor: PropertyDescriptor): void {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {}) as Record<
    string,
    { data?: unknown; pipes?: unknown[] }
  >;
  for (const [slot, arg] of Object.entries(args)) {
    if (Number(slot.split(':')[0]) !== RouteParamtypes.PARAM || typeof arg.data !== 'string') continue;
    const pipe = arg.pipes?.find((p): p is ZodPipe<z.ZodType> => p instanceof ZodPipe);
    if (pipe) ApiParam({ name: arg.data, required: true, schema: openApiSchema(pipe.schema) })(target, key, descriptor);
  }
}

/**
 * `@Body(new ZodPipe(Contract))`: parses with the contract; a ZodError becomes a 400. `accepts`, a
 * quick test that holds only for values the contract takes unchanged (e.g. `isPlainPredictRequest`),
 * lets such a value through without the contract's cost.
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(
    readonly schema: T,
    private readonly accepts?: (value: unknown) => boolean,
  ) {}

  transform(value: unknown): z.infer<T> {
    refuseNul(value);
    if (this.accepts?.(value)) return value as z.infer<T>;
    return this.schema.parse(value);
  }
}

/** Text with a NUL character cannot be stored (PostgreSQL refuses it); no input may carry one. */
function refuseNul(value: unknown): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw badRequest('text must not contain the NUL character (\\u0000)');
    } else if (Array.isArray(v)) {
      for (const item of v) if (typeof item !== 'number') stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes('\u0000')) throw badRequest('text must not contain the NUL character (\\u0000)');
        if (typeof item !== 'number') stack.push(item);
      }
    }
  }
}
