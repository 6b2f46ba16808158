import { InferenceSession, Tensor } from 'onnxruntime-node';

/** Runs exported bytes in onnxruntime-node with one float32 [N, 1] input per feature. */
export async function runOnnxModel(
  bytes: Uint8Array,
  features: string[],
  columns: Float64Array[],
): Promise<{ inputNames: string[]; outputNames: string[]; outputs: Record<string, Tensor> }> {
  const session = await InferenceSession.create(Buffer.from(bytes));
  try {
    const feeds = Object.fromEntries(
      features.map((name, j) => [name, new Tensor('float32', Float32Array.from(columns[j]), [columns[j].length, 1])]),
    );
    const outputs = await session.run(feeds);
    return { inputNames: [...session.inputNames], outputNames: [...session.outputNames], outputs: { ...outputs } };
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between an [N, 1] float output and the expected values. */
export function worstDifference(expected: Float64Array, output: Tensor): number {
  const actual = output.data as Float32Array;
  if (actual.length !== expected.length) throw new Error(`${actual.length} outputs for ${expected.length} rows`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}
