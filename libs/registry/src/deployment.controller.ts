import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { z } from 'zod';

import { DeploymentHistoryEntry, DeploymentResponse, Name, SetDeploymentRequest } from '@atelier/contracts';
import { Actor, Endpoint, ZodPipe } from '@atelier/server';

import { DeploymentService } from './deployment.service';

const tag = 'registry';

@Controller('api/models/:name/deployment')
export class DeploymentController {
  constructor(private readonly service: DeploymentService) {}

  @Get()
  @Endpoint({ tag, summary: "How the model's production alias splits its traffic: canary and shadow", response: DeploymentResponse })
  get(@Param('name', new ZodPipe(Name)) name: string): Promise<DeploymentResponse> {
    return this.service.get(name);
  }

  @Put()
  @Endpoint({
    tag,
    summary:
      'Set the canary (a share of production traffic, sticky by an entity key) and the shadow (scores a mirrored copy); null removes one',
    body: SetDeploymentRequest,
    response: DeploymentResponse,
  })
  set(
    @Param('name', new ZodPipe(Name)) name: string,
    @Body(new ZodPipe(SetDeploymentRequest)) body: SetDeploymentRequest,
    @Actor() actor: string,
  ): Promise<DeploymentResponse> {
    return this.service.set(name, body, actor);
  }

  @Post('rollback')
  @Endpoint({ tag, summary: 'Remove the canary and the shadow: production answers everything again', response: DeploymentResponse })
  rollback(@Param('name', new ZodPipe(Name)) name: string, @Actor() actor: string): Promise<DeploymentResponse> {
    return this.service.rollback(name, actor);
  }

  @Post('promote')
  @Endpoint({ tag, summary: 'Point production at the canary version, which then answers everything', response: DeploymentResponse })
  promote(@Param('name', new ZodPipe(Name)) name: string, @Actor() actor: string): Promise<DeploymentResponse> {
    return this.service.promote(name, actor);
  }

  @Get('history')
  @Endpoint({ tag, summary: 'Every deployment change, newest first, with who made it', response: z.array(DeploymentHistoryEntry) })
  history(@Param('name', new ZodPipe(Name)) name: string): Promise<DeploymentHistoryEntry[]> {
    return this.service.history(name);
  }
}
