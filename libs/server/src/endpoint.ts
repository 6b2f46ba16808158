import { applyDecorators, HttpCode, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { ErrorBody } from '@atelier/contracts';

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
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
}

/** Documents a route from its zod contracts (immich's `@Endpoint`), errors included. */
export function Endpoint(options: EndpointOptions): MethodDecorator {
  const status = options.status ?? 200;
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [
    ApiTags(options.tag),
    ApiOperation({ summary: options.summary }),
    HttpCode(status),
    ApiResponse({ status, schema: options.response ? openApiSchema(options.response) : { type: 'object' } }),
    ApiResponse({ status: 400, description: 'invalid input', schema: openApiSchema(ErrorBody) }),
  ];
  if (options.body) decorators.push(ApiBody({ schema: openApiSchema(options.body, 'input') }));
  for (const [name, field] of Object.entries(options.query?.shape ?? {})) {
    decorators.push(ApiQuery({ name, required: !(field as z.ZodType).safeParse(undefined).success, schema: openApiSchema(field as z.ZodType, 'input') }));
  }
  return applyDecorators(...(decorators as MethodDecorator[]));
}

/** `@Body(new ZodPipe(Contract))`: parses with the contract; a ZodError becomes a 400. */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    return this.schema.parse(value);
  }
}
