import { appendFileSync, createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, statSync } from 'node:fs';
import { appendFile, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * One event as Kafka takes it: its value serialized to JSON. An event appended as an object
 * (`DurableProducer.appendObject`) also carries that object, for a send that packs it otherwise.
 */
export interface SpoolRecord {
  readonly key: string;
  readonly value: string;
  readonly object?: unknown;
}

export interface SpoolOptions {
  dir: string;
  /** a segment is closed for appends once it holds this many bytes */
  segmentBytes: number;
  /** beyond this many bytes on disk, `write` refuses events (the caller counts them dropped) */
  maxBytes: number;
  /** spools no process writes any more (`spoolsBeyond`): `open` moves their segments into `dir`, after its own */
  adopt?: readonly string[];
}

/** What became of the lines handed to one `write`: `failed` ones were accepted but not written. */
export interface SpoolWriteResult {
  written: number;
  failed: number;
  error?: Error;
}

export interface SpoolReadResult {
  records: SpoolRecord[];
  /** lines that did not parse: the torn tail of a write a kill interrupted, or damage */
  corrupt: number;
  error?: Error;
}

interface Segment {
  seq: number;
  bytes: number;
  events: number;
  /** events known exactly (written by this process, or counted/read since start) */
  counted: boolean;
}

const SEGMENT = /^segment-(\d{12})\.jsonl$/;

/**
 * The on-disk half of the prediction log: numbered segment files of JSON lines, appended to in
 * order and read back oldest first. The file name carries the order (`segment-000000000042.jsonl`),
 * so a process that starts after a crash replays its predecessor's segments before its own.
 *
 * Invariants: async appends are serialized (one in flight, in call order), so lines land in a
 * segment in the order they were handed over; a segment is only read once it is sealed (no
 * further appends) and every write queued before the seal has settled.
 */
export class Spool {
  private readonly segments = new Map<number, Segment>();
  /** the segment async appends go to; undefined: the next append opens a new one */
  private active?: number;
  private nextSeq = 1;
  private opened = false;
  private openError?: Error;
  /** the last queued async write: each write waits for the one before it */
  private tail: Promise<unknown> = Promise.resolve();
  private totalBytes = 0;
  private totalEvents = 0;

  constructor(private readonly options: SpoolOptions) {}

  /**
   * Creates the directory and indexes the segments a previous process left. Synchronous on
   * purpose: it lists at most `maxBytes / segmentBytes` names once, and afterwards every decision
   * of the producer (send directly or spool behind older events?) can rely on the index.
   * Idempotent; returns false when the directory is unusable.
   */
  open(): boolean {
    if (this.opened) return this.openError === undefined;
    this.opened = true;
    try {
      mkdirSync(this.options.dir, { recursive: true });
      this.adoptSegments();
      for (const seq of segmentNumbers(this.options.dir)) {
        const bytes = statSync(this.file(seq)).size;
        this.segments.set(seq, { seq, bytes, events: 0, counted: false });
        this.totalBytes += bytes;
        this.nextSeq = Math.max(this.nextSeq, seq + 1);
      }
      return true;
    } catch (error) {
      this.openError = asError(error);
      return false;
    }
  }

  get error(): Error | undefined {
    return this.openError;
  }

  get isEmpty(): boolean {
    return this.segments.size === 0;
  }

  get segmentCount(): number {
    return this.segments.size;
  }

  stats(): { bytes: number; events: number } {
    return { bytes: this.totalBytes, events: this.totalEvents };
  }

  /** Counts the lines of segments found at open, so `stats()` tells how many events wait. */
  async countRecovered(): Promise<void> {
    for (const segment of [...this.segments.values()].filter((s) => !s.counted)) {
      const lines = await countLines(this.file(segment.seq)).catch(() => 0);
      if (segment.counted || !this.segments.has(segment.seq)) continue; // read by the replay meanwhile
      this.setEvents(segment, lines);
    }
  }

  /**
   * Sets a sequence number aside for lines that are older than everything spooled from now on
   * (a batch whose send is still in flight while newer events already have to be spooled).
   */
  reserve(): number {
    return this.nextSeq++;
  }

  /**
   * Queues `lines` (each ending in '\n') for appending, to segment `seq` if given (a reservation),
   * else to the active segment. Returns at once how many were accepted under `maxBytes` (a prefix
   * of `lines`; the caller counts the rest dropped) and a promise of the write that never rejects.
   */
  write(lines: string[], seq?: number): { accepted: number; done: Promise<SpoolWriteResult> } {
    const { accepted, chunks } = this.assign(lines, seq);
    if (chunks.length === 0) return { accepted, done: Promise.resolve({ written: 0, failed: 0 }) };
    const done = this.tail.then(() => this.appendChunks(chunks));
    this.tail = done;
    return { accepted, done };
  }

  /**
   * The overflow valve: appends synchronously, to a fresh segment (so it sorts after every
   * async write still queued). Blocks the event loop for one write; see DurableProducer.
   */
  writeSync(lines: string[]): { accepted: number } & SpoolWriteResult {
    this.active = undefined;
    const { accepted, chunks } = this.assign(lines);
    let written = 0;
    let failed = 0;
    let lastError: Error | undefined;
    for (const chunk of chunks) {
      try {
        appendFileSync(this.file(chunk.seq), chunk.lines.join(''));
        written += chunk.lines.length;
      } catch (error) {
        lastError = asError(error);
        failed += this.unaccount(chunk);
      }
    }
    return { accepted, written, failed, error: lastError };
  }

  /** The oldest segment, or undefined when the spool is empty. */
  oldest(): number | undefined {
    let oldest: number | undefined;
    for (const seq of this.segments.keys()) if (oldest === undefined || seq < oldest) oldest = seq;
    return oldest;
  }

  /** Seals segment `seq`, waits for the writes queued to it, and reads its records. */
  async read(seq: number): Promise<SpoolReadResult> {
    if (this.active === seq) this.active = undefined;
    await this.tail;
    const segment = this.segments.get(seq);
    let text: string;
    try {
      text = await readFile(this.file(seq), 'utf8');
    } catch (error) {
      const e = asError(error);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], corrupt: 0 };
      return { records: [], corrupt: 0, error: e };
    }
    const { records, corrupt } = parseLines(text);
    if (segment) this.setEvents(segment, records.length);
    return { records, corrupt };
  }

  /** Deletes a segment whose every event was acknowledged. */
  async remove(seq: number): Promise<void> {
    this.forget(seq);
    await unlink(this.file(seq)).catch(() => undefined);
  }

  /**
   * Takes an unreadable segment out of the replay, keeping the file for a person to look at.
   * Returns how many events it was thought to hold.
   */
  async quarantine(seq: number): Promise<number> {
    const events = this.segments.get(seq)?.events ?? 0;
    this.forget(seq);
    await rename(this.file(seq), `${this.file(seq)}.unreadable`).catch(() => undefined);
    return events;
  }

  /** Resolves once every write queued so far has settled. */
  async settled(): Promise<void> {
    await this.tail;
  }

  private assign(lines: string[], seq?: number): { accepted: number; chunks: Array<{ seq: number; lines: string[]; bytes: number }> } {
    const chunks: Array<{ seq: number; lines: string[]; bytes: number }> = [];
    let accepted = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (this.totalBytes + bytes > this.options.maxBytes) break;
      const segment = seq === undefined ? this.activeFor(bytes) : this.segment(seq);
      let chunk = chunks.at(-1);
      if (chunk?.seq !== segment.seq) {
        chunk = { seq: segment.seq, lines: [], bytes: 0 };
        chunks.push(chunk);
      }
      chunk.lines.push(line);
      chunk.bytes += bytes;
      segment.bytes += bytes;
      segment.events += 1;
      this.totalBytes += bytes;
      this.totalEvents += 1;
      accepted += 1;
    }
    return { accepted, chunks };
  }

  private activeFor(bytes: number): Segment {
    const current = this.active === undefined ? undefined : this.segments.get(this.active);
    if (current && (current.bytes === 0 || current.bytes + bytes <= this.options.segmentBytes)) return current;
    const segment = this.segment(this.nextSeq++);
    this.active = segment.seq;
    return segment;
  }

  private segment(seq: number): Segment {
    let segment = this.segments.get(seq);
    if (!segment) {
      segment = { seq, bytes: 0, events: 0, counted: true };
      this.segments.set(seq, segment);
    }
    return segment;
  }

  private async appendChunks(chunks: Array<{ seq: number; lines: string[]; bytes: number }>): Promise<SpoolWriteResult> {
    const result: SpoolWriteResult = { written: 0, failed: 0 };
    for (const chunk of chunks) {
      try {
        await appendFile(this.file(chunk.seq), chunk.lines.join(''));
        result.written += chunk.lines.length;
      } catch (error) {
        result.error = asError(error);
        result.failed += this.unaccount(chunk);
      }
    }
    return result;
  }

  /**
   * Takes a failed chunk out of the accounting and seals its segment: a failed append may have
   * left a partial line, and the next append must not continue it.
   */
  private unaccount(chunk: { seq: number; lines: string[]; bytes: number }): number {
    if (this.active === chunk.seq) this.active = undefined;
    const segment = this.segments.get(chunk.seq);
    if (segment) {
      segment.bytes -= chunk.bytes;
      segment.events -= chunk.lines.length;
      this.totalBytes -= chunk.bytes;
      this.totalEvents -= chunk.lines.length;
      // nothing of it reached the disk: no file to replay, so the spool may become empty again
      if (segment.events <= 0 && !this.exists(chunk.seq)) this.forget(chunk.seq);
    }
    return chunk.lines.length;
  }

  private setEvents(segment: Segment, events: number): void {
    this.totalEvents += events - segment.events;
    segment.events = events;
    segment.counted = true;
  }

  private forget(seq: number): void {
    const segment = this.segments.get(seq);
    if (!segment) return;
    this.segments.delete(seq);
    this.totalBytes -= segment.bytes;
    this.totalEvents -= segment.events;
    if (this.active === seq) this.active = undefined;
  }

  private exists(seq: number): boolean {
    try {
      return statSync(this.file(seq)).size > 0;
    } catch {
      return false;
    }
  }

  /**
   * The segments of `options.adopt`'s spools, oldest first, renamed into this one with numbers
   * after its own (a rename: nothing copied, nothing lost if the process dies halfway); each
   * emptied directory is removed. A failure leaves the rest where it was.
   */
  private adoptSegments(): void {
    try {
      const own = segmentNumbers(this.options.dir);
      let next = own.length > 0 ? Math.max(...own) + 1 : 1;
      for (const dir of this.options.adopt ?? []) {
        for (const seq of segmentNumbers(dir)) renameSync(segmentFile(dir, seq), this.file(next++));
        rmdirSync(dir);
      }
    } catch {
      // what was not moved stays where it is, for a later start; this spool works regardless
    }
  }

  private file(seq: number): string {
    return segmentFile(this.options.dir, seq);
  }
}

const segmentFile = (dir: string, seq: number) => path.join(dir, `segment-${String(seq).padStart(12, '0')}.jsonl`);

/** The numbers of the segments in `dir`, ascending (none when it does not exist). */
function segmentNumbers(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => SEGMENT.exec(name)?.[1])
    .filter((seq): seq is string => seq !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * The spool directories beside `dir` (`<base>/<process index>`) of the indexes `count` and above:
 * processes of a machine that now runs `count` (fewer processes, or the background process
 * given up). Process 0 adopts them, so what they spooled is replayed (`SpoolOptions.adopt`).
 */
export function spoolsBeyond(dir: string, count: number): string[] {
  const base = path.dirname(dir);
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+$/.test(entry.name) && Number(entry.name) >= count)
    .map((entry) => path.join(base, entry.name))
    .filter((other) => other !== dir);
}

/** One spool line: `{"k":<key>,"v":<value>}` — the value is spliced in already serialized. */
export function toLine(record: SpoolRecord): string {
  return `{"k":${JSON.stringify(record.key)},"v":${record.value}}\n`;
}

export function parseLines(text: string): { records: SpoolRecord[]; corrupt: number } {
  const records: SpoolRecord[] = [];
  let corrupt = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const parsed = JSON.parse(line) as { k?: unknown; v?: unknown };
      if (typeof parsed.k !== 'string' || !('v' in parsed)) throw new Error('not a spool line');
      records.push({ key: parsed.k, value: JSON.stringify(parsed.v) });
    } catch {
      corrupt += 1;
    }
  }
  return { records, corrupt };
}

/** Newlines in a file, streamed: a recovered spool can be a gigabyte. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n += 1;
  }
  return n;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
