import { open } from 'node:fs/promises';
import path from 'node:path';

import { type AsyncBuffer, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

/** One US domestic flight of 2001 from vega-datasets' flights-3m.parquet. */
export interface Flight {
  /** scheduled departure, epoch ms (the file's local times, read as UTC) */
  time: number;
  /** departure delay in minutes (negative: early) */
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

export function flightsParquetPath(): string {
  // the package exports no data paths: its entry is build/index.js, the data sits beside build/
  return path.join(path.dirname(require.resolve('vega-datasets')), '..', 'data', 'flights-3m.parquet');
}

const CHUNK_ROWS = 100_000;

/** A parquet source read on demand (hyparquet fetches only the byte ranges it needs). */
async function fileBuffer(path: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  const handle = await open(path);
  const { size } = await handle.stat();
  return {
    close: () => handle.close(),
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(end - start);
      await handle.read(bytes, 0, bytes.length, start);
      return bytes.buffer;
    },
  };
}

/**
 * Reads flights with `from <= time < to`. The file is ordered by date, so reading stops at the
 * first chunk past `to` — the first month costs about one sixth of the file.
 */
export async function readFlights(from: Date, to: Date, file = flightsParquetPath()): Promise<Flight[]> {
  const buffer = await fileBuffer(file);
  try {
    return await readRange(buffer, from, to);
  } finally {
    await buffer.close();
  }
}

async function readRange(buffer: AsyncBuffer, from: Date, to: Date): Promise<Flight[]> {
  const metadata = await parquetMetadataAsync(buffer);
  const total = Number(metadata.num_rows);
  const flights: Flight[] = [];
  const fromMs = from.getTime();
  const toMs = to.getTime();
  for (let start = 0; start < total; start += CHUNK_ROWS) {
    const rows = (await parquetReadObjects({ file: buffer, metadata, compressors, rowStart: start, rowEnd: Math.min(total, start + CHUNK_ROWS) })) as Array<{
      date: Date;
      delay: bigint | number;
      distance: bigint | number;
      origin: string;
      destination: string;
    }>;
    for (const r of rows) {
      const time = r.date.getTime();
      if (time >= fromMs && time < toMs) {
        flights.push({ time, delay: Number(r.delay), distance: Number(r.distance), origin: r.origin, destination: r.destination });
      }
    }
    const last = rows.at(-1);
    if (!last || last.date.getTime() >= toMs) break;
  }
  return flights;
}
