import { type Command, InvalidArgumentError } from 'commander';

import type { ArmStats, DeploymentResponse } from '@atelier/sdk';

import { parseVersion } from '../args';
import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { UsageError } from '../errors';
import { fields, formatTime, table } from '../output';

interface SetOptions {
  canary?: number;
  share?: number;
  stickyBy?: string;
  shadow?: number;
}

export function registerDeploy(program: Command, io: CliIo): void {
  const deploy = program.command('deploy').description("split the production alias's traffic: a canary, a shadow; promote, roll back");

  leaf(deploy, 'show', 'the split and its arms side by side over the last hour')
    .argument('<name>', 'the model')
    .action(
      action(io, async ({ client, out }, _options: object, name: string) => {
        const [deployment, arms] = await Promise.all([client.getDeployment(name), client.armStats(name)]);
        out.result({ deployment, arms: arms.arms }, () => [...describe(deployment), '', ...armTable(arms.arms)]);
      }),
    );

  leaf(deploy, 'set', 'set the whole split: what is not given is removed (no options: production alone)')
    .argument('<name>', 'the model')
    .option('--canary <version>', 'the candidate version answering a share of the traffic', parseVersion)
    .option('--share <percent>', "the canary's share of the traffic, 0–100", parsePercent)
    .option('--sticky-by <entity>', 'keep each key of this entity on one arm (e.g. airport)')
    .option('--shadow <version>', 'a version scoring a mirrored copy of every request, never answered', parseVersion)
    .action(
      action(io, async ({ client, out }, options: SetOptions, name: string) => {
        if (options.canary === undefined && (options.share !== undefined || options.stickyBy !== undefined)) {
          throw new UsageError('--share and --sticky-by describe a canary: give --canary <version> too');
        }
        if (options.canary !== undefined && options.share === undefined) throw new UsageError('give the canary its --share (0–100)');
        const deployment = await client.setDeployment(name, {
          canary:
            options.canary === undefined ? null : { version: options.canary, share: options.share!, stickyBy: options.stickyBy ?? null },
          shadow: options.shadow === undefined ? null : { version: options.shadow },
        });
        out.result(deployment, () => describe(deployment));
      }),
    );

  const actions = [
    ['promote', 'point production at the canary version, which then answers everything', 'promoteCanary'],
    ['rollback', 'remove the canary and the shadow: production answers everything again', 'rollbackDeployment'],
  ] as const;
  for (const [name, description, call] of actions) {
    leaf(deploy, name, description)
      .argument('<name>', 'the model')
      .action(
        action(io, async ({ client, out }, _options: object, model: string) => {
          const deployment = await client[call](model);
          out.result(deployment, () => describe(deployment));
        }),
      );
  }
}

function parsePercent(value: string): number {
  const share = Number(value);
  if (value.trim() === '' || !Number.isFinite(share) || share < 0 || share > 100)
    throw new InvalidArgumentError('expected a percentage, 0–100');
  return share;
}

function describe(d: DeploymentResponse): string[] {
  const canary = d.canary
    ? `v${d.canary.version}, ${d.canary.share} % of traffic, ${d.canary.stickyBy ? `sticky by ${d.canary.stickyBy}` : 'drawn per request'}`
    : 'none';
  return fields([
    [d.alias, d.primaryVersion === null ? 'not set' : `v${d.primaryVersion}`],
    ['canary', canary],
    ['shadow', d.shadow ? `v${d.shadow.version}` : 'none'],
    ['changed', d.updatedAt ? `${formatTime(d.updatedAt)} by ${d.updatedBy}` : 'never'],
  ]);
}

function armTable(arms: ArmStats[]): string[] {
  if (arms.length === 0) return ['no predictions through a canary or shadow in the last hour'];
  const n = (v: number | null, digits = 4) => (v === null ? '-' : v.toFixed(digits));
  return table(
    ['ARM', 'VERSION', 'PREDICTIONS', 'P50 MS', 'P95 MS', 'MEAN', 'OUTCOMES', 'ACCURACY', 'AGREEMENT'],
    arms.map((a) => [
      a.arm,
      `v${a.version}`,
      String(a.predictions),
      n(a.latencyP50Ms, 2),
      n(a.latencyP95Ms, 2),
      n(a.predictionMean),
      String(a.outcomes),
      n(a.accuracy),
      n(a.agreement),
    ]),
  );
}
