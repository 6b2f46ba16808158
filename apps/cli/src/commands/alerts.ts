import type { Command } from 'commander';

import type { AlertResponse } from '@atelier/sdk';

import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { formatNumber, formatTime, table } from '../output';

interface ListOptions {
  status?: 'open' | 'resolved';
  model?: string;
}

export function registerAlerts(program: Command, io: CliIo): void {
  const alerts = program.command('alerts').description("monitors' alerts: list them, acknowledge one, resolve one by hand (default: list)");

  leaf(alerts, 'list', 'list alerts, newest first', { isDefault: true })
    .option('--status <status>', 'open or resolved')
    .option('--model <name>', "one model's alerts only")
    .action(
      action(io, async ({ client, out }, options: ListOptions) => {
        const found = await client.listAlerts(options.status, options.model);
        out.result(found, () =>
          table(
            ['ID', 'STATUS', 'MODEL', 'MONITOR', 'METRIC', 'VALUE', 'THRESHOLD', 'OPENED', 'ACKNOWLEDGED'],
            found.map((a) => [
              a.id,
              a.status,
              a.model,
              a.monitorName,
              a.metric,
              formatNumber(a.value),
              formatNumber(a.threshold),
              formatTime(a.openedAt),
              a.acknowledgedBy ? `${a.acknowledgedBy} ${formatTime(a.acknowledgedAt)}` : '-',
            ]),
          ),
        );
      }),
    );

  leaf(alerts, 'ack <id>', 'acknowledge an open alert: someone is on it (it stays open until it resolves)').action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      const alert = await client.acknowledgeAlert(id);
      out.result(alert, () => [
        `alert ${alert.id} (${alert.model}, ${alert.metric}) acknowledged by ${alert.acknowledgedBy} at ${formatTime(alert.acknowledgedAt)}`,
      ]);
    }),
  );

  leaf(
    alerts,
    'resolve <id>',
    'resolve an alert by hand (it opens again at the next evaluation if the metric is still past its threshold)',
  ).action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      const alert: AlertResponse = await client.resolveAlert(id);
      out.result(alert, () => [
        `alert ${alert.id} (${alert.model}, ${alert.metric}) resolved by ${alert.resolvedBy ?? 'hand'} at ${formatTime(alert.resolvedAt)}`,
      ]);
    }),
  );
}
