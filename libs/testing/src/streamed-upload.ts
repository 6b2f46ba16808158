import { authHeaders } from './test-env';

export interface StreamedCsv {
  /** the header row, without its newline */
  header: string;
  rows: number;
  /** row `i` (from 0), without its newline */
  row: (i: number) => string;
  /** form fields sent before the file, and after it */
  before?: Record<string, string>;
  after?: Record<string, string>;
}

/**
 * Posts a CSV file as multipart/form-data generated while it is sent, never whole in memory:
 * the `before` fields, the file `rows.csv`, the `after` fields. Answers the status and JSON body.
 */
export async function postStreamedCsv(
  url: string,
  apiKey: string,
  csv: StreamedCsv,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const boundary = `atelier-${Math.random().toString(36).slice(2)}`;
  const field = (name: string, value: string) =>
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  async function* body() {
    for (const [name, value] of Object.entries(csv.before ?? {})) yield field(name, value);
    yield Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="rows.csv"\r\ncontent-type: text/csv\r\n\r\n`,
    );
    yield Buffer.from(`${csv.header}\n`);
    for (let i = 0; i < csv.rows; i += 1000) {
      yield Buffer.from(Array.from({ length: Math.min(1000, csv.rows - i) }, (_, k) => `${csv.row(i + k)}\n`).join(''));
    }
    yield Buffer.from('\r\n');
    for (const [name, value] of Object.entries(csv.after ?? {})) yield field(name, value);
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...authHeaders(apiKey, false), 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: body() as unknown as BodyInit,
    duplex: 'half',
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
