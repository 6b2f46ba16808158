import { describe, expect, it } from 'vitest';

import { readProtoFields } from './protobuf.reader';
import { ProtoWriter } from './protobuf.writer';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('ProtoWriter produces the encodings of the protobuf specification', () => {
  it('varint: field 1 = 150 → 08 96 01', () => {
    expect(hex(new ProtoWriter().int64(1, 150).finish())).toBe('089601');
  });

  it('negative int64 takes ten bytes of two’s complement', () => {
    expect(hex(new ProtoWriter().int64(1, -1).finish())).toBe('08ffffffffffffffffff01');
  });

  it('string: field 2 = "testing" → 12 07 74 65 73 74 69 6e 67', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
  });

  it('packed: field 4 = [3, 270, 86942] → 22 06 03 8e 02 9e a7 05; empty is omitted', () => {
    expect(hex(new ProtoWriter().packedInt64(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    expect(new ProtoWriter().packedInt64(4, []).finish()).toHaveLength(0);
  });

  it('float: little-endian fixed32 with wire type 5', () => {
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
  });

  it('nested message: length-prefixed, and readable back', () => {
    const bytes = new ProtoWriter()
      .int64(1, 8)
      .message(3, (m) => m.string(1, 'é').int64(2, 17))
      .finish();
    const [first, nested] = readProtoFields(bytes);
    expect(first).toEqual({ field: 1, wireType: 0, value: 8n });
    expect(nested.field).toBe(3);
    expect(readProtoFields(nested.value as Uint8Array)).toEqual([
      { field: 1, wireType: 2, value: new TextEncoder().encode('é') },
      { field: 2, wireType: 0, value: 17n },
    ]);
  });

  it('refuses values protobuf cannot carry exactly', () => {
    expect(() => new ProtoWriter().int64(1, 2 ** 60)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(0, 1)).toThrow(RangeError);
  });
});
