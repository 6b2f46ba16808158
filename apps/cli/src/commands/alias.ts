import type { Command } from 'commander';

import { parseVersion } from '../args';
import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { fields, formatMetrics, formatTime } from '../output';

export function registerAlias(program: Command, io: CliIo): void {
  const alias = program.command('alias').description('point an alias (production, candidate, …) at a version, or read it');

  leaf(alias, 'set', 'point an alias at a version: serving hot-loads it')
    .argument('<name>', 'the model')
    .argument('<alias>', 'e.g. production')
    .argument('<version>', 'the version number', parseVersion)
    .action(
      action(io, async ({ client, out }, _options: object, name: string, aliasName: string, version: number) => {
        const moved = await client.setAlias(name, aliasName, version);
        const was = moved.previousVersion === null ? 'new alias' : `was v${moved.previousVersion}`;
        out.result(moved, () => [`${moved.model}@${moved.alias} -> v${moved.version} (${was})`]);
      }),
    );

  leaf(alias, 'get', 'show the version an alias points at')
    .argument('<name>', 'the model')
    .argument('<alias>', 'e.g. production')
    .action(
      action(io, async ({ client, out }, _options: object, name: string, aliasName: string) => {
        const version = await client.resolveAlias(name, aliasName);
        out.result(version, () => [
          `${version.model}@${aliasName} -> v${version.version}`,
          ...fields([
            ['type', version.modelType],
            ['task', version.signature.task],
            ['metrics', formatMetrics(version.metrics, 8)],
            ['inputs', version.signature.inputs.map((i) => i.name).join(', ')],
            ['sha256', version.artifact.sha256],
            ['created', formatTime(version.createdAt)],
          ]),
        ]);
      }),
    );
}
