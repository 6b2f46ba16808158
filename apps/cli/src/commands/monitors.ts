import { type Command, InvalidArgumentError } from 'commander';

import type { CreateMonitorRequestInput, MonitorEvaluation, MonitorResponse, UpdateMonitorRequest } from '@atelier/sdk';

import { parseNumber, wholeNumber } from '../args';
import { action, leaf } from '../command';
import type { CliIo } from '../context';
import { UsageError } from '../errors';
import { fields, formatNumber, formatTime, table } from '../output';

type Operator = MonitorResponse['operator'];
const OPERATORS: Record<Operator, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

interface CreateOptions {
  metric: string;
  when: Operator;
  threshold: number;
  window?: number;
  minSamples?: number;
  feature?: string;
  webhook?: string;
}

interface SetOptions {
  when?: Operator;
  threshold?: number;
  window?: number;
  minSamples?: number;
  enable?: boolean;
  disable?: boolean;
}

export function registerMonitors(program: Command, io: CliIo): void {
  const monitors = program
    .command('monitors')
    .description('thresholds on live model metrics: list, create, change, evaluate and delete them (default: list)');

  leaf(monitors, 'list', 'list monitors, with why one is not judged', { isDefault: true })
    .option('--model <name>', "one model's monitors only")
    .action(
      action(io, async ({ client, out }, options: { model?: string }) => {
        const found = await client.listMonitors(options.model);
        out.result(found, () =>
          table(
            ['ID', 'MODEL', 'NAME', 'ALERT WHEN', 'WINDOW', 'MIN', 'ENABLED', 'PROBLEM'],
            found.map((m) => [
              m.id,
              m.model,
              m.name,
              condition(m),
              `${m.windowSeconds} s`,
              String(m.minSamples),
              m.enabled ? 'on' : 'off',
              m.problem ?? '-',
            ]),
          ),
        );
      }),
    );

  conditionOptions(leaf(monitors, 'create <model> <name>', 'alert when a metric of the model crosses a threshold over a window'), true)
    .requiredOption('--metric <metric>', "e.g. accuracy, auc, rmse, prediction_psi, feature_ks (the model's task decides which apply)")
    .option('--feature <input>', 'the input a feature_* metric watches')
    .option('--webhook <url>', 'also POST each alert to this URL, signed (the secret is shown once)')
    .action(
      action(io, async ({ client, out }, options: CreateOptions, model: string, name: string) => {
        const body: CreateMonitorRequestInput = {
          name,
          model,
          metric: options.metric as CreateMonitorRequestInput['metric'],
          operator: options.when,
          threshold: options.threshold,
          ...(options.window === undefined ? {} : { windowSeconds: options.window }),
          ...(options.minSamples === undefined ? {} : { minSamples: options.minSamples }),
          ...(options.feature === undefined ? {} : { feature: options.feature }),
          ...(options.webhook === undefined ? {} : { webhookUrl: options.webhook }),
        };
        const created = await client.createMonitor(body);
        out.result(created, () => [
          ...describe(created),
          ...(created.webhookSecret ? ['', `webhook secret (shown once; it signs each delivery): ${created.webhookSecret}`] : []),
        ]);
      }),
    );

  conditionOptions(leaf(monitors, 'set <id>', "change a monitor's condition, window or minimum samples; turn it on or off"), false)
    .option('--enable', 'evaluate it again')
    .option('--disable', 'stop evaluating it (its open alert stays as it is)')
    .action(
      action(io, async ({ client, out }, options: SetOptions, id: string) => {
        if (options.enable && options.disable) throw new UsageError('give --enable or --disable, not both');
        const body: UpdateMonitorRequest = {
          ...(options.when === undefined ? {} : { operator: options.when }),
          ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
          ...(options.window === undefined ? {} : { windowSeconds: options.window }),
          ...(options.minSamples === undefined ? {} : { minSamples: options.minSamples }),
          ...(options.enable || options.disable ? { enabled: Boolean(options.enable) } : {}),
        };
        if (Object.keys(body).length === 0)
          throw new UsageError('nothing to change: give --when, --threshold, --window, --min-samples, --enable or --disable');
        const monitor = await client.updateMonitor(id, body);
        out.result(monitor, () => describe(monitor));
      }),
    );

  leaf(monitors, 'evaluate <id>', 'evaluate a monitor now over the window ending now (opens, refreshes or resolves its alert)').action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      const evaluation = await client.evaluateMonitor(id);
      out.result(evaluation, () => describeEvaluation(evaluation));
    }),
  );

  leaf(monitors, 'delete <id>', 'delete a monitor, its windows and its alerts').action(
    action(io, async ({ client, out }, _options: object, id: string) => {
      await client.deleteMonitor(id);
      out.result({ id, deleted: true }, () => [`monitor ${id}: deleted`]);
    }),
  );
}

/** The options create and set share: the condition (required to create), the window, the samples a window needs. */
function conditionOptions(command: Command, create: boolean): Command {
  const option = create ? command.requiredOption.bind(command) : command.option.bind(command);
  option(
    '--when <operator>',
    'lt, lte, gt or gte: alert when the metric is below, at most, above or at least the threshold',
    parseOperator,
  );
  option('--threshold <number>', 'the value the metric is compared with', parseNumber);
  const byDefault = (value: string) => (create ? ` (default ${value})` : '');
  return command
    .option('--window <seconds>', `the window the metric is computed over${byDefault('3600')}`, wholeNumber(1))
    .option('--min-samples <n>', `judge a window only once this many samples are in it${byDefault('10')}`, wholeNumber(1));
}

function condition(m: Pick<MonitorResponse, 'metric' | 'feature' | 'operator' | 'threshold'>): string {
  return `${m.metric}${m.feature ? ` of ${m.feature}` : ''} ${OPERATORS[m.operator]} ${formatNumber(m.threshold)}`;
}

function describe(m: MonitorResponse): string[] {
  return fields([
    ['monitor', `${m.id} (${m.name})`],
    ['model', m.model],
    ['alert when', condition(m)],
    ['window', `${m.windowSeconds} s, judged from ${m.minSamples} samples`],
    ['enabled', m.enabled ? 'on' : 'off'],
    ['webhook', m.webhookUrl],
    ['problem', m.problem],
  ]);
}

function describeEvaluation(e: MonitorEvaluation): string[] {
  const verdict = e.problem ? 'not judged' : e.breached ? 'breached' : e.value === null ? 'no value' : 'ok';
  return fields([
    ['window', `${formatTime(e.windowStart)} – ${formatTime(e.windowEnd)}`],
    ['value', e.value === null ? 'none' : `${formatNumber(e.value)} (${e.samples} samples)`],
    ['verdict', verdict],
    ['alert', e.alert ? `${e.alert.id} (${e.alert.status})` : null],
    ['problem', e.problem],
  ]);
}

function parseOperator(value: string): Operator {
  if (!(value in OPERATORS)) throw new InvalidArgumentError('expected lt, lte, gt or gte');
  return value as Operator;
}
