import { z } from 'zod';

/**
 * The Open Inference Protocol v2 (KServe / Triton REST), as its specification names things:
 * tensors are `{ name, shape, datatype, data }` with row-major flat (or nested) data; the binary
 * tensor extension carries data after the JSON header instead (`parameters.binary_data_size`).
 */

export const OipDatatype = z.enum([
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
]);
export type OipDatatype = z.infer<typeof OipDatatype>;

export const OipParameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type OipParameters = z.infer<typeof OipParameters>;

const Shape = z
  .array(
    z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
  )
  .max(8);

/** Nested arrays are allowed by the protocol; they are read row-major. */
const TensorData = z.array(z.unknown());

export const OipInferInput = z.object({
  name: z.string().min(1).max(256),
  shape: Shape,
  datatype: OipDatatype,
  parameters: OipParameters.optional(),
  /** absent when the data is binary (`parameters.binary_data_size`) */
  data: TensorData.optional(),
});
export type OipInferInput = z.infer<typeof OipInferInput>;

export const OipRequestedOutput = z.object({ name: z.string().min(1).max(256), parameters: OipParameters.optional() });
export type OipRequestedOutput = z.infer<typeof OipRequestedOutput>;

export const OipInferRequest = z.object({
  id: z.string().max(256).optional(),
  /** `binary_data_output: true` answers every output as binary data */
  parameters: OipParameters.optional(),
  inputs: z.array(OipInferInput).min(1).max(256),
  /** absent: every output of the model */
  outputs: z.array(OipRequestedOutput).max(256).optional(),
});
export type OipInferRequest = z.infer<typeof OipInferRequest>;

export const OipOutput = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: OipDatatype,
  parameters: OipParameters.optional(),
  data: z.array(z.union([z.number(), z.string(), z.boolean()])).optional(),
});
export type OipOutput = z.infer<typeof OipOutput>;

export const OipInferResponse = z.object({
  model_name: z.string(),
  model_version: z.string(),
  id: z.string().optional(),
  parameters: OipParameters.optional(),
  outputs: z.array(OipOutput),
});
export type OipInferResponse = z.infer<typeof OipInferResponse>;

export const OipTensorMetadata = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });
export type OipTensorMetadata = z.infer<typeof OipTensorMetadata>;

export const OipModelMetadata = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(OipTensorMetadata),
  outputs: z.array(OipTensorMetadata),
});
export type OipModelMetadata = z.infer<typeof OipModelMetadata>;

export const OipServerMetadata = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) });
export type OipServerMetadata = z.infer<typeof OipServerMetadata>;

export const OipReady = z.object({ ready: z.boolean() });
export const OipModelReady = z.object({ name: z.string(), ready: z.boolean() });

/** The protocol's error body. */
export const OipError = z.object({ error: z.string() });
export type OipError = z.infer<typeof OipError>;
