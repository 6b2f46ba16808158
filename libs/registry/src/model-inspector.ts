import { Injectable } from '@nestjs/common';
import { InferenceSession } from 'onnxruntime-node';

import type { ColumnNames, ModelGraph, ModelSignature } from '@atelier/contracts';
import { MlError, type OnnxGraph, readOnnxGraph, servableOnnx } from '@atelier/ml';
import { badRequest } from '@atelier/server';

import { resolveSignature, toModelGraph } from './graph-signature';

export interface InspectedModel {
  graph: ModelGraph;
  signature: ModelSignature;
}

/**
 * What the registry checks before it stores a version: the bytes are an ONNX model (read with the
 * official schema), the signature agrees with the graph (or is read from it), and ONNX Runtime
 * loads it — so a version that registers is a version serving can run.
 */
@Injectable()
export class ModelInspector {
  async inspect(bytes: Uint8Array, declared?: ModelSignature, columns?: ColumnNames): Promise<InspectedModel> {
    let onnx: OnnxGraph;
    try {
      onnx = readOnnxGraph(bytes);
    } catch (error) {
      if (error instanceof MlError) throw badRequest(`artifact: ${error.message}`);
      throw error;
    }
    const signature = resolveSignature(onnx, declared, columns);
    await loadable(bytes);
    return { graph: toModelGraph(onnx), signature };
  }
}

/** Loads the model into ONNX Runtime once (as serving will: ZipMap outputs as their tensors). */
async function loadable(bytes: Uint8Array): Promise<void> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(servableOnnx(bytes).bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw badRequest(`ONNX Runtime cannot load the model: ${firstLine((error as Error).message)}`);
  }
  await session.release();
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 500);
}
