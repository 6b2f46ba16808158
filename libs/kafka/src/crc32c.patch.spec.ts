import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { crc32c, patchKafkaChecksum } from './crc32c.patch';

// kafkajs internals without types: its own byte-at-a-time checksum, and the record batch encoder
const original = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (bytes: Buffer) => number;

describe('the record batch checksum', () => {
  it('is kafkajs’s CRC-32C, for every length and alignment', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the CRC-32C check value
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const bytes = randomBytes(4096 + 7);
    for (let length = 0; length <= 100; length++) expect(crc32c(bytes.subarray(3, 3 + length))).toBe(original(bytes.subarray(3, 3 + length)));
    expect(crc32c(bytes)).toBe(original(bytes));
    const large = randomBytes(300_000);
    expect(crc32c(large)).toBe(original(large));
  });

  it('is the one kafkajs’s record batch encoder uses', async () => {
    expect(patchKafkaChecksum()).toBe(true);
    expect(require('kafkajs/src/protocol/recordBatch/crc32C')).toBe(crc32c);
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (batch: object) => Promise<{ buffer: Buffer }> };
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => unknown;
    const records = Array.from({ length: 20 }, (_, i) => Record({ offsetDelta: i, key: `k-${i}`, value: `{"n":${i}}`, timestampDelta: 0, headers: {} }));
    const { buffer } = await RecordBatch({ records });
    // the batch: base offset (8), length (4), leader epoch (4), magic (1), CRC (4), then what it covers
    expect(buffer.readUInt32BE(17)).toBe(original(buffer.subarray(21)));
  });
});
