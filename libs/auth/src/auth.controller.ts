import { Body, Controller, Delete, Get, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import { ApiKeyResponse, AuditEventResponse, AuditQuery, CreateApiKeyRequest, CreatedApiKeyResponse, WhoAmIResponse } from '@atelier/contracts';
import { Access, type AuthenticatedRequest, Endpoint, unauthenticated, ZodPipe } from '@atelier/server';

import { ApiKeysService } from './api-keys.service';
import { AuditService } from './audit.service';

const tag = 'access';
const KeyId = z.uuid();

@Controller('api')
export class AuthController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get('auth/whoami')
  @Access('self')
  @Endpoint({ tag, summary: 'The API key this request was made with: owner, role, expiry', response: WhoAmIResponse })
  whoami(@Req() request: FastifyRequest & AuthenticatedRequest): WhoAmIResponse {
    const principal = request.principal;
    if (!principal) throw unauthenticated('no API key');
    return this.keys.whoami(principal);
  }

  @Post('keys')
  @Access('admin')
  @Endpoint({ tag, summary: 'Create an API key; the key itself is in this answer only', body: CreateApiKeyRequest, response: CreatedApiKeyResponse, status: 201 })
  create(@Body(new ZodPipe(CreateApiKeyRequest)) body: CreateApiKeyRequest): Promise<CreatedApiKeyResponse> {
    return this.keys.create(body);
  }

  @Get('keys')
  @Access('admin')
  @Endpoint({ tag, summary: 'List API keys (prefixes, owners, roles; never the keys)', response: z.array(ApiKeyResponse) })
  list(): Promise<ApiKeyResponse[]> {
    return this.keys.list();
  }

  @Delete('keys/:id')
  @Access('admin')
  @Endpoint({ tag, summary: 'Revoke an API key, at once in every process', response: ApiKeyResponse })
  revoke(@Param('id', new ZodPipe(KeyId)) id: string): Promise<ApiKeyResponse> {
    return this.keys.revoke(id);
  }

  @Get('audit')
  @Access('admin')
  @Endpoint({ tag, summary: 'The audit log, newest first: every change with the owner of the key that made it', query: AuditQuery, response: z.array(AuditEventResponse) })
  auditLog(@Query(new ZodPipe(AuditQuery)) query: z.infer<typeof AuditQuery>): Promise<AuditEventResponse[]> {
    return this.audit.list(query);
  }
}
