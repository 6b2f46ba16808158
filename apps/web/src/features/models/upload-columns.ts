/**
 * `X = a, b, c` lines → `{ X: ['a', 'b', 'c'] }` (empty text → undefined). A line without "=" or
 * without names is an error naming the line, before anything is sent.
 */
export function parseColumns(text: string): Record<string, string[]> | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return undefined;
  const columns: Record<string, string[]> = {};
  lines.forEach((line, i) => {
    const at = line.indexOf('=');
    const input = at > 0 ? line.slice(0, at).trim() : '';
    const names =
      at > 0
        ? line
            .slice(at + 1)
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean)
        : [];
    if (!input || names.length === 0) throw new Error(`column names, line ${i + 1}: write it as "input = name, name, …"`);
    columns[input] = names;
  });
  return columns;
}
