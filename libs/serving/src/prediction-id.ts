import { randomFillSync } from 'node:crypto';

/** A byte's two hex digits as their two ASCII codes, the first in the high byte. */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, b) => {
  const pair = b.toString(16).padStart(2, '0');
  return (pair.charCodeAt(0) << 8) | pair.charCodeAt(1);
});
/** The counter's width: rand_a's 12 bits and the first 30 of rand_b (RFC 9562 §6.2, method 1). */
const COUNTER_BITS = 42;
const SEED_HIGH_MASK = 2 ** (COUNTER_BITS - 1 - 32) - 1;
const COUNTER_MAX = 2 ** COUNTER_BITS - 1;
const POOL_BYTES = 4096;

/**
 * Prediction ids as UUIDv7 (RFC 9562): the millisecond they were made, then a 42-bit counter
 * seeded at random each millisecond and stepped per id, then 32 random bits. Ids of one process
 * only grow, and ids of one batch shard sit side by side, so the indexes keyed by prediction id
 * (batch rows, monitored predictions) take them at their right edge instead of at a random page:
 * a million batch rows went into PostgreSQL in 5.4–5.7 s against 7.4–8.4 s with random (v4) ids
 * (docs/benchmarks.md). Unique across processes by the counter's seed and the random tail.
 */
export class PredictionIds {
  private millisecond = -1;
  private counter = 0;
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private taken = POOL_BYTES;
  private readonly scratch = Buffer.alloc(16);
  private readonly scratchText = Buffer.alloc(36);

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    this.write(this.scratch, 0);
    this.format(this.scratch, 0, this.scratchText, 0);
    return this.scratchText.toString('latin1');
  }

  /**
   * `count` ids, as `count` calls of `next` make them: their text, each a slice of one string
   * (a batch shard's 50,000 ids are one allocation, not ten pieces of text each), and their 16
   * bytes each, one after the other (what PostgreSQL stores, without parsing the text back).
   */
  block(count: number): PredictionIdBlock {
    const bytes = Buffer.allocUnsafe(count * 16);
    const text = Buffer.allocUnsafe(count * 36);
    for (let i = 0; i < count; i++) {
      this.write(bytes, i * 16);
      this.format(bytes, i * 16, text, i * 36);
    }
    const all = text.toString('latin1');
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) ids[i] = all.slice(i * 36, i * 36 + 36);
    return { ids, bytes };
  }

  /** An id's text (ASCII, 36 characters) at `to` of `text`, from its 16 bytes at `from` of `bytes`. */
  private format(bytes: Buffer, from: number, text: Buffer, to: number): void {
    let at = to;
    for (let k = 0; k < 16; k++) {
      if (k === 4 || k === 6 || k === 8 || k === 10) text[at++] = 45; // '-'
      const pair = HEX_PAIRS[bytes[from + k]!]!;
      text[at++] = pair >>> 8;
      text[at++] = pair & 0xff;
    }
  }

  /** The next id's 16 bytes at `at` of `target`. */
  private write(target: Buffer, at: number): void {
    const now = this.now();
    if (now > this.millisecond) {
      this.millisecond = now;
      // below half its range, so a millisecond's ids cannot run it out
      this.counter = (this.random32() & SEED_HIGH_MASK) * 2 ** 32 + this.random32();
    } else if (this.counter < COUNTER_MAX) {
      this.counter++;
    } else {
      // the counter ran out within one millisecond (or the clock stepped back): borrow the next
      this.millisecond++;
      this.counter = 0;
    }
    const ms = this.millisecond;
    const counterHigh = Math.floor(this.counter / 2 ** 30); // 12 bits
    const counterLow = this.counter % 2 ** 30; // 30 bits
    target.writeUInt32BE(Math.floor(ms / 2 ** 16), at); // the timestamp's first 32 bits
    target.writeUInt16BE(ms % 2 ** 16, at + 4);
    target.writeUInt16BE(0x7000 | counterHigh, at + 6);
    target.writeUInt32BE((0x80000000 | counterLow) >>> 0, at + 8);
    target.writeUInt32BE(this.random32(), at + 12);
  }

  private random32(): number {
    if (this.taken + 4 > POOL_BYTES) {
      randomFillSync(this.pool);
      this.taken = 0;
    }
    const value = this.pool.readUInt32BE(this.taken);
    this.taken += 4;
    return value;
  }
}

/** Ids made together: `ids[i]` is the text of `bytes[16 * i … 16 * i + 15]`. */
export interface PredictionIdBlock {
  ids: string[];
  bytes: Buffer;
}

/** The process's prediction ids, one sequence for online and batch predictions alike. */
export const predictionIds = new PredictionIds();
