/**
 * Just enough of the protobuf wire format to serialise ONNX models: varints, length-delimited
 * fields and fixed 32-bit floats. Writing it ourselves keeps `@atelier/ml` free of a protobuf
 * runtime and a code generator for a handful of messages.
 *
 * Wire types: 0 = varint, 2 = length-delimited, 5 = 32-bit.
 */
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private byteLength = 0;

  /** int64 / uint64 / int32 / enum field. Negative values take ten bytes, as protobuf specifies. */
  int64(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  /** A nested message, written by `encode` into its own buffer so its length can prefix it. */
  message(field: number, encode: (writer: ProtoWriter) => void): this {
    const nested = new ProtoWriter();
    encode(nested);
    return this.bytes(field, nested.finish());
  }

  /** A packed repeated varint field (proto3 default, `[packed = true]` in onnx.proto). */
  packedInt64(field: number, values: readonly (number | bigint)[]): this {
    // An empty repeated field is simply absent on the wire.
    if (values.length === 0) return this;
    const nested = new ProtoWriter();
    for (const value of values) nested.varint(value);
    return this.bytes(field, nested.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1) throw new RangeError(`invalid protobuf field number ${field}`);
    this.varint(field * 8 + wireType);
  }

  private varint(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`varint value must be a safe integer, got ${value}`);
    }
    // Two's complement in 64 bits: -1 becomes 2^64 - 1, exactly as protobuf encodes negative int64.
    let rest = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    this.push(Uint8Array.from(bytes));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.byteLength += bytes.length;
  }
}
