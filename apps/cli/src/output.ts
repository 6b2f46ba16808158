import type { Stream } from './context';

/**
 * Where a command's result goes: with `--json` exactly one JSON document (the API's answer, so
 * scripts parse one thing), otherwise text for people. Each command calls `result` once.
 */
export class Output {
  constructor(
    private readonly stream: Stream,
    readonly json: boolean,
  ) {}

  result(data: unknown, human: () => string[]): void {
    if (this.json) this.stream.write(`${JSON.stringify(data, null, 2)}\n`);
    else this.lines(human());
  }

  /** Text for people that is not the result (e.g. a training job's progress lines). */
  lines(lines: string[]): void {
    if (lines.length > 0) this.stream.write(`${lines.join('\n')}\n`);
  }
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `label   value` lines, labels padded to the longest; pairs without a value are left out. */
export function fields(pairs: Array<[string, string | null | undefined]>): string[] {
  const present = pairs.filter((p): p is [string, string] => p[1] !== null && p[1] !== undefined && p[1] !== '');
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** An instant to the minute, in UTC: `2001-01-31 23:59Z`; `-` when there is none. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : `${time.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** Four significant digits for fractions (a probability, an AUC), two decimals for large values. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(2);
  return String(Number(value.toPrecision(4)));
}

/** `auc=0.7123 logloss=0.5201`, by name, at most `max` of them. */
export function formatMetrics(metrics: Record<string, number> | null | undefined, max = 4): string {
  const entries = Object.entries(metrics ?? {}).sort(byName);
  const shown = entries.slice(0, max).map(([name, value]) => `${name}=${formatNumber(value)}`);
  return [...shown, ...(entries.length > max ? [`+${entries.length - max} more`] : [])].join(' ') || '-';
}

/** `candidate=v3 production=v2`, by alias name. */
export function formatAliases(aliases: Record<string, number>): string {
  const entries = Object.entries(aliases).sort(byName);
  return entries.map(([name, version]) => `${name}=v${version}`).join(' ') || '-';
}

/** `airport=SFO carrier=UA`, by name; '' when there are none. */
export function formatPairs(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .sort(byName)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

export function formatPercent(fraction: number): string {
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return `${Math.floor(clamped * 100)}%`;
}

function byName([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
