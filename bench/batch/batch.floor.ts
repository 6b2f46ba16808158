import { readFileSync, writeFileSync } from 'node:fs';

import { ByteWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { InferenceSession, Tensor } from 'onnxruntime-node';

import { PredictionIds } from '@atelier/serving';

/**
 * The batch floor: what scoring the same rows costs with nothing around it. The rows (the demo
 * model's inputs, joined point-in-time by the platform as a batch job joins them) are read into
 * memory first and not timed; then, timed: one ONNX Runtime run per `CHUNK` rows and the same
 * Parquet columns as a batch job's output, written to `out`.
 *   node -r @swc-node/register bench/batch/batch.floor.ts <model.onnx> <rows.json> <out.parquet>
 * Prints one line `BENCH_RESULT {json}`.
 */
const CHUNK = 4096;

interface FloorRows {
  model: string;
  version: number;
  /** input name → one value per row (the graph's inputs, transform included) */
  inputs: Record<string, Array<number | null>>;
  airport: Array<string | null>;
  destination: Array<string | null>;
  eventTimes: number[];
}

async function main(): Promise<void> {
  const [modelPath, rowsPath, out] = process.argv.slice(2);
  if (!modelPath || !rowsPath || !out) throw new Error('usage: batch.floor.ts <model.onnx> <rows.json> <out.parquet>');
  const rows = JSON.parse(readFileSync(rowsPath, 'utf8')) as FloorRows;
  const session = await InferenceSession.create(modelPath, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
  const n = rows.eventTimes.length;

  const ids = new PredictionIds();
  const started = performance.now();
  const prediction = new Float64Array(n);
  // the label column as a job writes it: whole numbers for an integer label output, else doubles
  const label = new Array<bigint | number>(n);
  let labelType: 'INT64' | 'DOUBLE' = 'DOUBLE';
  for (let from = 0; from < n; from += CHUNK) {
    const size = Math.min(CHUNK, n - from);
    const feeds = Object.fromEntries(
      session.inputNames.map((name) => {
        const column = rows.inputs[name]!;
        const data = new Float32Array(size);
        for (let i = 0; i < size; i++) data[i] = column[from + i] ?? NaN;
        return [name, new Tensor('float32', data, [size, 1])];
      }),
    );
    const result = await session.run(feeds);
    const p = result['probability']!.data as Float32Array;
    const l = result['label']!.data as BigInt64Array | Float32Array;
    if (l instanceof BigInt64Array) labelType = 'INT64';
    for (let i = 0; i < size; i++) {
      prediction[from + i] = p[i]!;
      label[from + i] = l[i]!;
    }
  }
  const scoredMs = performance.now() - started;

  const columnData = [
    // ids as a batch job makes them, a block at once (time-ordered: they compress to less than random ones)
    { name: 'prediction_id', type: 'STRING' as const, data: ids.block(n).ids },
    { name: 'event_time', type: 'TIMESTAMP' as const, data: rows.eventTimes.map((t) => new Date(t)) },
    { name: 'model', type: 'STRING' as const, data: new Array<string>(n).fill(rows.model) },
    { name: 'version', type: 'INT32' as const, data: new Array<number>(n).fill(rows.version) },
    { name: 'alias', type: 'STRING' as const, data: new Array<string>(n).fill('production') },
    { name: 'airport', type: 'STRING' as const, data: rows.airport },
    { name: 'prediction', type: 'DOUBLE' as const, data: Array.from(prediction) },
    { name: 'label', type: labelType, data: label },
    { name: 'probabilities', type: 'STRING' as const, data: new Array<string | null>(n).fill(null) },
    { name: 'missing', type: 'STRING' as const, data: new Array<string>(n).fill('') },
    { name: 'destination', type: 'STRING' as const, data: rows.destination },
  ];
  const writer = new ByteWriter();
  const parquet = new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }), createdBy: 'atelier-bench' });
  await parquet.write({ columnData, rowGroupSize: 50_000 });
  await parquet.finish();
  writeFileSync(out, writer.getBytes());
  const totalMs = performance.now() - started;
  console.log(
    `BENCH_RESULT ${JSON.stringify({ rows: n, seconds: totalMs / 1000, scoreSeconds: scoredMs / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 })}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
