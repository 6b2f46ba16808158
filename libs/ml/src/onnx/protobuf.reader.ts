/**
 * Reads the top-level fields of a protobuf message without a schema: enough to pull metadata out
 * of an ONNX file (ours or one registered from elsewhere) without loading it into a runtime.
 */
export type ProtoField =
  | { field: number; wireType: 0; value: bigint }
  | { field: number; wireType: 1; value: Uint8Array }
  | { field: number; wireType: 2; value: Uint8Array }
  | { field: number; wireType: 5; value: Uint8Array };

export function readProtoFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (offset >= bytes.length) throw new RangeError('truncated protobuf varint');
      const byte = bytes[offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
    }
    throw new RangeError('protobuf varint longer than 10 bytes');
  };
  const take = (length: number): Uint8Array => {
    if (offset + length > bytes.length) throw new RangeError('truncated protobuf field');
    const value = bytes.subarray(offset, offset + length);
    offset += length;
    return value;
  };
  while (offset < bytes.length) {
    const key = Number(varint());
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    switch (wireType) {
      case 0:
        fields.push({ field, wireType, value: varint() });
        break;
      case 1:
        fields.push({ field, wireType, value: take(8) });
        break;
      case 2:
        fields.push({ field, wireType, value: take(Number(varint())) });
        break;
      case 5:
        fields.push({ field, wireType, value: take(4) });
        break;
      default:
        throw new RangeError(`unsupported protobuf wire type ${wireType} for field ${field}`);
    }
  }
  return fields;
}
