import type { Command } from 'commander';

import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { formatMetrics, formatTime, table } from '../output';

export function registerVersions(program: Command, io: CliIo): void {
  leaf(program, 'versions <name>', 'list the versions of a model, newest first, with their metrics and aliases').action(
    action(io, async ({ client, out }, _options: object, name: string) => {
      const versions = await client.listVersions(name);
      out.result(versions, () =>
        versions.length === 0
          ? [`${name} has no versions yet`]
          : table(
              ['VERSION', 'TYPE', 'TASK', 'ALIASES', 'METRICS', 'CREATED'],
              versions.map((v) => [
                String(v.version),
                v.modelType,
                v.signature.task,
                v.aliases.join(',') || '-',
                formatMetrics(v.metrics),
                formatTime(v.createdAt),
              ]),
            ),
      );
    }),
  );
}
