import { Injectable, Logger } from '@nestjs/common';

import {
  type AliasMovedEvent,
  type DeploymentAction,
  type DeploymentChangedEvent,
  DeploymentHistoryEntry,
  type DeploymentResponse,
  PRIMARY_ALIAS,
  type SetDeploymentRequest,
} from '@atelier/contracts';
import type { Prisma } from '@atelier/db';
import { KafkaService } from '@atelier/kafka';
import { badRequest, conflict, notFound } from '@atelier/server';

import { type DeploymentRow, type DeploymentSplit, RegistryRepository } from './registry.repository';
import { RegistryService } from './registry.service';

const ACTIONS: readonly DeploymentAction[] = ['deployment-changed', 'deployment-rolled-back', 'canary-promoted'];
const NO_SPLIT: DeploymentSplit = { canary: null, shadow: null };

/**
 * How a model's primary alias splits its traffic: a canary answering a share of it, a shadow
 * scoring a mirrored copy. Every change is audited with its actor and announced on Kafka
 * (`deployment-changed`), so every serving replica routes by it from then on.
 */
@Injectable()
export class DeploymentService {
  private readonly logger = new Logger('registry');

  constructor(
    private readonly repository: RegistryRepository,
    private readonly registry: RegistryService,
    private readonly kafka: KafkaService,
  ) {}

  async get(model: string): Promise<DeploymentResponse> {
    if (!(await this.repository.hasModel(model))) throw notFound(`model "${model}" does not exist`);
    const [row, primary] = await Promise.all([this.repository.findDeployment(model), this.repository.findAlias(model, PRIMARY_ALIAS)]);
    return toResponse(model, primary?.version ?? null, row);
  }

  /** Sets the canary and the shadow (null clears one); both versions must exist and differ from the primary's and each other. */
  async set(model: string, split: SetDeploymentRequest, actor: string): Promise<DeploymentResponse> {
    const response = await this.change(model, 'deployment-changed', actor, async (primaryVersion, tx) => {
      if (primaryVersion === null && (split.canary || split.shadow)) {
        throw badRequest(`model "${model}" has no "${PRIMARY_ALIAS}" alias yet: point it at a version before adding a canary or a shadow`);
      }
      for (const [arm, version] of [
        ['canary', split.canary?.version],
        ['shadow', split.shadow?.version],
      ] as const) {
        if (version === undefined) continue;
        if (!(await this.repository.hasVersion(model, version, tx))) throw badRequest(`${arm}: model "${model}" has no version ${version}`);
        if (version === primaryVersion) throw badRequest(`${arm}: version ${version} is the one "${PRIMARY_ALIAS}" already serves`);
      }
      if (split.canary && split.canary.version === split.shadow?.version)
        throw badRequest(`shadow: version ${split.shadow.version} is the canary: a shadow scores a version that answers no traffic`);
      return { split, primaryVersion };
    });
    await this.announce(response);
    return response;
  }

  /** Back to the primary version alone: the canary and the shadow are removed. */
  async rollback(model: string, actor: string): Promise<DeploymentResponse> {
    const response = await this.change(model, 'deployment-rolled-back', actor, async (primaryVersion) => ({
      split: NO_SPLIT,
      primaryVersion,
    }));
    await this.announce(response);
    return response;
  }

  /** The canary becomes the primary version (the alias moves to it) and answers all traffic; a shadow stays. */
  async promote(model: string, actor: string): Promise<DeploymentResponse> {
    let moved: AliasMovedEvent | undefined;
    const response = await this.change(model, 'canary-promoted', actor, async (primaryVersion, tx, current) => {
      const canary = current?.canaryVersion;
      if (canary == null) throw conflict(`model "${model}" has no canary to promote`);
      moved = await this.registry.moveAliasIn(tx, model, PRIMARY_ALIAS, canary, primaryVersion, actor);
      const shadow = current?.shadowVersion != null && current.shadowVersion !== canary ? { version: current.shadowVersion } : null;
      return { split: { canary: null, shadow }, primaryVersion: canary };
    });
    // the alias first: until serving hears of the deployment, the old canary share already lands on the new primary
    if (moved) await this.kafka.publish('modelEvents', [{ key: model, value: moved }]);
    await this.announce(response);
    return response;
  }

  async history(model: string): Promise<DeploymentHistoryEntry[]> {
    if (!(await this.repository.hasModel(model))) throw notFound(`model "${model}" does not exist`);
    const events = await this.repository.listAuditActions(`model:${model}`, ACTIONS);
    return events.map((e) =>
      DeploymentHistoryEntry.parse({ ...(e.payload as object), action: e.action, actor: e.actor, at: e.createdAt.toISOString() }),
    );
  }

  /**
   * One change under the model's row lock: `decide` sees the primary version and the stored row,
   * and answers the new split; it is stored and audited in the same transaction. The caller
   * announces it once committed (`promote` announces its alias move first).
   */
  private async change(
    model: string,
    action: DeploymentAction,
    actor: string,
    decide: (
      primaryVersion: number | null,
      tx: Prisma.TransactionClient,
      current: DeploymentRow | null,
    ) => Promise<{ split: DeploymentSplit; primaryVersion: number | null }>,
  ): Promise<DeploymentResponse> {
    const response = await this.repository.transaction(async (tx) => {
      if (!(await this.repository.lockModel(model, tx))) throw notFound(`model "${model}" does not exist`);
      const primary = await this.repository.findAlias(model, PRIMARY_ALIAS, tx);
      const current = await this.repository.findDeployment(model, tx);
      const { split, primaryVersion } = await decide(primary?.version ?? null, tx, current);
      const row = await this.repository.upsertDeployment(model, split, actor, tx);
      const answer = toResponse(model, primaryVersion, row);
      await this.repository.audit(
        `model:${model}`,
        action,
        { primaryVersion, canary: answer.canary, shadow: answer.shadow } as Prisma.InputJsonValue,
        actor,
        tx,
      );
      return answer;
    });
    this.logger.log({ msg: action, model, canary: response.canary, shadow: response.shadow, primaryVersion: response.primaryVersion });
    return response;
  }

  private async announce(deployment: DeploymentResponse): Promise<void> {
    const { model } = deployment;
    const event: DeploymentChangedEvent = {
      type: 'deployment-changed',
      schemaVersion: 1,
      model,
      canary: deployment.canary,
      shadow: deployment.shadow,
      at: deployment.updatedAt ?? new Date().toISOString(),
    };
    await this.kafka.publish('modelEvents', [{ key: model, value: event }]);
  }
}

function toResponse(model: string, primaryVersion: number | null, row: DeploymentRow | null): DeploymentResponse {
  return {
    model,
    alias: PRIMARY_ALIAS,
    primaryVersion,
    canary: row?.canaryVersion != null ? { version: row.canaryVersion, share: row.canaryShare, stickyBy: row.stickyBy } : null,
    shadow: row?.shadowVersion != null ? { version: row.shadowVersion } : null,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}
