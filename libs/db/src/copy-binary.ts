/**
 * Rows in PostgreSQL's binary COPY format (`COPY … FROM STDIN WITH (FORMAT binary)`): a header,
 * then per row its field count and each field as a 32-bit length (-1 for null) and the value in
 * the type's binary form, then a trailer. The server takes numbers, UUIDs and timestamps as they
 * are instead of parsing their text.
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** PostgreSQL's type OID of `text`, named inside a `text[]` value. */
const TEXT_OID = 25;
/** 2000-01-01T00:00:00Z, where PostgreSQL's timestamps count from, in epoch milliseconds. */
const POSTGRES_EPOCH_MS = 946_684_800_000;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(c)] = c;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(c)] = c;
}

/** Writes binary COPY data into one growing buffer; `take()` hands over what was written. */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** The format's signature, flags and (empty) header extension: once, before the first row. */
  header(): this {
    this.room(SIGNATURE.length + 8);
    this.at += SIGNATURE.copy(this.buffer, this.at);
    this.at = this.buffer.writeInt32BE(0, this.at);
    this.at = this.buffer.writeInt32BE(0, this.at);
    return this;
  }

  /** A row's start: how many fields follow. */
  row(fields: number): this {
    this.room(2);
    this.at = this.buffer.writeInt16BE(fields, this.at);
    return this;
  }

  /** The end of the data: once, after the last row. */
  trailer(): this {
    this.room(2);
    this.at = this.buffer.writeInt16BE(-1, this.at);
    return this;
  }

  null(): this {
    this.room(4);
    this.at = this.buffer.writeInt32BE(-1, this.at);
    return this;
  }

  int4(value: number): this {
    this.room(8);
    this.at = this.buffer.writeInt32BE(4, this.at);
    this.at = this.buffer.writeInt32BE(value, this.at);
    return this;
  }

  float8(value: number | null): this {
    if (value === null) return this.null();
    this.room(12);
    this.at = this.buffer.writeInt32BE(8, this.at);
    this.at = this.buffer.writeDoubleBE(value, this.at);
    return this;
  }

  /** A field already in its binary form (a value every row repeats, encoded once with `encodeField`). */
  field(bytes: Buffer): this {
    const length = bytes.length;
    this.room(length);
    // a byte loop for the usual few dozen bytes: Buffer#copy's own cost is more than theirs
    if (length <= 64) {
      const buffer = this.buffer;
      for (let i = 0, at = this.at; i < length; i++) buffer[at + i] = bytes[i]!;
      this.at += length;
    } else this.at += bytes.copy(this.buffer, this.at);
    return this;
  }

  /** A UUID in its text form (hyphens anywhere, either case) as its 16 bytes. */
  uuid(value: string): this {
    this.room(20);
    this.at = this.buffer.writeInt32BE(16, this.at);
    let high = -1;
    let bytes = 0;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code === 45) continue; // '-'
      const digit = code < 128 ? HEX_VALUE[code]! : -1;
      if (digit < 0) throw new Error(`not a UUID: ${value}`);
      if (high < 0) high = digit;
      else {
        if (bytes === 16) throw new Error(`not a UUID: ${value}`);
        this.buffer[this.at + bytes++] = (high << 4) | digit;
        high = -1;
      }
    }
    if (bytes !== 16 || high >= 0) throw new Error(`not a UUID: ${value}`);
    this.at += 16;
    return this;
  }

  /** A UUID from its 16 bytes at `at` of `bytes`. */
  uuidBytes(bytes: Buffer, at: number): this {
    this.room(20);
    this.at = this.buffer.writeInt32BE(16, this.at);
    this.at += bytes.copy(this.buffer, this.at, at, at + 16);
    return this;
  }

  /** A `timestamptz` from epoch milliseconds: microseconds since 2000-01-01 as a 64-bit integer. */
  timestamptz(epochMs: number): this {
    const micros = (epochMs - POSTGRES_EPOCH_MS) * 1000;
    const high = Math.floor(micros / 2 ** 32);
    this.room(12);
    this.at = this.buffer.writeInt32BE(8, this.at);
    this.at = this.buffer.writeInt32BE(high, this.at);
    this.at = this.buffer.writeUInt32BE(micros - high * 2 ** 32, this.at);
    return this;
  }

  text(value: string | null): this {
    if (value === null) return this.null();
    this.room(4 + value.length * 3);
    const bytes = this.buffer.write(value, this.at + 4, 'utf8');
    this.buffer.writeInt32BE(bytes, this.at);
    this.at += 4 + bytes;
    return this;
  }

  /** A value as `jsonb`: the format's version (1), then its JSON text. */
  jsonb(value: unknown): this {
    return this.jsonbText(JSON.stringify(value));
  }

  /** A `jsonb` from its JSON text, as made elsewhere (`jsonRecords`). */
  jsonbText(json: string): this {
    this.room(5 + json.length * 3);
    this.buffer[this.at + 4] = 1;
    const bytes = this.buffer.write(json, this.at + 5, 'utf8');
    this.buffer.writeInt32BE(bytes + 1, this.at);
    this.at += 5 + bytes;
    return this;
  }

  /** A one-dimensional `text[]` without nulls (empty: no dimension). */
  textArray(values: readonly string[]): this {
    const start = this.at;
    this.room(24);
    this.at += 4; // the value's length, written last
    this.at = this.buffer.writeInt32BE(values.length === 0 ? 0 : 1, this.at); // dimensions
    this.at = this.buffer.writeInt32BE(0, this.at); // no nulls
    this.at = this.buffer.writeInt32BE(TEXT_OID, this.at);
    if (values.length > 0) {
      this.at = this.buffer.writeInt32BE(values.length, this.at);
      this.at = this.buffer.writeInt32BE(1, this.at); // lower bound
    }
    for (const value of values) this.text(value);
    this.buffer.writeInt32BE(this.at - start - 4, start);
    return this;
  }

  /** What was written since the last take, as a buffer of its own. */
  take(): Buffer {
    const taken = Buffer.from(this.buffer.subarray(0, this.at));
    this.at = 0;
    return taken;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/** One field as `write` puts it (its length, then its bytes), for `field` to repeat. */
export function encodeField(write: (out: BinaryCopyWriter) => void): Buffer {
  const out = new BinaryCopyWriter(64);
  write(out);
  return out.take();
}

/** A value a `jsonRecords` field holds: what JSON writes as a scalar (`undefined` as null). */
export type JsonScalar = string | number | boolean | null | undefined;

/**
 * JSON objects of the same keys, one a row, for `jsonb` columns (`jsonbText`), written without
 * an object a row: each key's `"name":` is encoded once. `skipNull` leaves out the keys a row has
 * no value for (a batch job's entities) rather than writing them as null (its passthrough
 * columns, a prediction's inputs). A number that is not finite is null, as `JSON.stringify` has
 * it.
 */
export function jsonRecords(
  fields: ReadonlyArray<readonly [name: string, values: ArrayLike<JsonScalar>]>,
  skipNull: boolean,
): (row: number) => string {
  const keys = fields.map(([name]) => `${JSON.stringify(name)}:`);
  return (row) => {
    let json = '';
    for (let k = 0; k < fields.length; k++) {
      const value = fields[k]![1][row] ?? null;
      if (value === null && skipNull) continue;
      json += `${json === '' ? '{' : ','}${keys[k]!}${jsonScalar(value)}`;
    }
    return json === '' ? '{}' : `${json}}`;
  };
}

function jsonScalar(value: JsonScalar): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return 'null';
  }
}

/**
 * Streams binary COPY data (`chunks`: the header first, the trailer last) into `statement`, a
 * `COPY … FROM STDIN WITH (FORMAT binary)`, on `client`; PostgreSQL reads the rows as they come.
 */
export async function copyIn(client: PoolClient, statement: string, chunks: Iterable<Buffer>): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(statement)));
}

/** `count` fields from `at` of binary COPY data, as the format lays them out: a 32-bit length (-1: null), then the bytes. */
export function copyFields(bytes: Buffer, at: number, count: number): Array<Buffer | null> {
  const out: Array<Buffer | null> = [];
  for (let f = 0; f < count; f++) {
    const length = bytes.readInt32BE(at);
    at += 4;
    out.push(length < 0 ? null : bytes.subarray(at, (at += length)));
  }
  return out;
}
