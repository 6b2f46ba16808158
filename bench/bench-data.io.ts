import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Dataset } from '@atelier/ml';

/**
 * The on-disk benchmark format, shared with the Python peers (bench/peers/*.py): one directory per
 * dataset holding `manifest.json` and one raw little-endian float64 file per column and split
 * (`NaN` = missing), so numpy.fromfile and a Float64Array read exactly the same numbers.
 */
export interface BenchManifest {
  name: string;
  task: 'binary';
  description: string;
  features: string[];
  label: string;
  splits: Record<SplitName, BenchSplitFiles>;
  createdAt: string;
}

export type SplitName = 'train' | 'test';

export interface BenchSplitFiles {
  rows: number;
  /** paths relative to the dataset directory, in `features` order */
  columns: string[];
  label: string;
}

export const BENCH_DIR = path.resolve(__dirname);
export const DATA_DIR = path.join(BENCH_DIR, '.data');

export function datasetDir(name: string): string {
  return path.join(DATA_DIR, name);
}

export function readManifest(name: string): BenchManifest {
  return JSON.parse(readFileSync(path.join(datasetDir(name), 'manifest.json'), 'utf8')) as BenchManifest;
}

export function readSplit(name: string, split: SplitName): Dataset {
  const manifest = readManifest(name);
  const files = manifest.splits[split];
  const dir = datasetDir(name);
  const read = (file: string): Float64Array => readFloat64(path.join(dir, file), files.rows);
  return { features: [...manifest.features], columns: files.columns.map(read), label: read(files.label), rowCount: files.rows };
}

function readFloat64(file: string, rows: number): Float64Array {
  const bytes = readFileSync(file);
  if (bytes.byteLength !== rows * 8) throw new Error(`${file}: ${bytes.byteLength} bytes, expected ${rows * 8}`);
  // Copy into an aligned buffer; Node's pooled Buffers may start at any byte offset.
  const values = new Float64Array(rows);
  new Uint8Array(values.buffer).set(bytes);
  if (!isLittleEndianHost()) throw new Error('bench data is little-endian; this host is not');
  return values;
}

export function writeDataset(meta: Pick<BenchManifest, 'name' | 'description' | 'label'>, splits: Record<SplitName, Dataset>): string {
  const dir = datasetDir(meta.name);
  const features = splits.train.features;
  const manifestSplits = {} as Record<SplitName, BenchSplitFiles>;
  for (const split of ['train', 'test'] as const) {
    const data = splits[split];
    mkdirSync(path.join(dir, split), { recursive: true });
    const columns = data.columns.map((column, j) => writeFloat64(dir, `${split}/x${String(j).padStart(3, '0')}.f64`, column));
    manifestSplits[split] = { rows: data.rowCount, columns, label: writeFloat64(dir, `${split}/y.f64`, data.label) };
  }
  const manifest: BenchManifest = { ...meta, task: 'binary', features, splits: manifestSplits, createdAt: new Date().toISOString() };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

function writeFloat64(dir: string, file: string, values: Float64Array): string {
  if (!isLittleEndianHost()) throw new Error('bench data is little-endian; this host is not');
  writeFileSync(path.join(dir, file), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return file;
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
