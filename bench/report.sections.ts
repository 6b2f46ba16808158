import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the generated part of a report between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->`, leaving the prose around it as written.
 */
export function writeSection(file: string, name: string, section: string): void {
  const text = readFileSync(file, 'utf8');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} section`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n\n${section}\n${text.slice(to)}`);
}

/** The median of the runs' figures (NaN when there are none). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
