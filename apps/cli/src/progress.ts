import type { Stream } from './context';
import { formatPercent } from './output';

/** What a watched job shows; a training job is one as it is. */
export interface JobProgress {
  status: string;
  /** the fraction done, 0–1 */
  progress: number;
  /** what the job has logged; only ever appended to */
  events: ReadonlyArray<{ message: string }>;
  /** where the job stands, for a job that logs no events (e.g. `3/8 shards, 1200/3000 rows`) */
  summary?: string;
}

/** Shows a watched job: `update` after each poll, `finish` once it has ended. */
export interface ProgressReporter {
  update(job: JobProgress): void;
  finish(job: JobProgress): void;
}

/** A bar redrawn in place on a terminal; one line per event (and status change) anywhere else, e.g. a CI log. */
export function progressReporter(stream: Stream): ProgressReporter {
  return stream.isTTY ? new BarReporter(stream) : new LineReporter(stream);
}

/** `██████░░░░` for a fraction in `width` cells; full only at 1, so a bar never looks done before the job is. */
export function renderBar(fraction: number, width: number): string {
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.floor(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** `████░░░░  42%  running  epoch 3/20: loss 0.50000`, cut to fit a terminal `columns` wide without wrapping. */
export function barLine(job: JobProgress, columns: number): string {
  const width = Math.max(10, Math.min(30, columns - 50));
  const line = `${renderBar(job.progress, width)} ${plainLine(job.progress, job.status, lastMessage(job))}`;
  return fit(line, columns - 1);
}

/** ` 42%  running  epoch 3/20: loss 0.50000` */
export function plainLine(progress: number, status: string, message?: string): string {
  return [formatPercent(progress).padStart(4), status, ...(message ? [message] : [])].join('  ');
}

function lastMessage(job: JobProgress): string | undefined {
  return job.events[job.events.length - 1]?.message ?? job.summary;
}

function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

class BarReporter implements ProgressReporter {
  constructor(private readonly stream: Stream) {}

  update(job: JobProgress): void {
    // back to the start of the line and clear it, then draw
    this.stream.write(`\r\x1b[2K${barLine(job, this.stream.columns ?? 80)}`);
  }

  finish(job: JobProgress): void {
    this.update(job);
    this.stream.write('\n');
  }
}

class LineReporter implements ProgressReporter {
  private seenEvents = 0;
  private lastStatus: string | undefined;
  private lastSummary: string | undefined;

  constructor(private readonly stream: Stream) {}

  update(job: JobProgress): void {
    // events are only ever appended to a job
    const fresh = job.events.slice(this.seenEvents);
    this.seenEvents = Math.max(this.seenEvents, job.events.length);
    const lines = fresh.map((event) => plainLine(job.progress, job.status, event.message));
    if (lines.length === 0 && (job.status !== this.lastStatus || job.summary !== this.lastSummary))
      lines.push(plainLine(job.progress, job.status, job.summary));
    this.lastStatus = job.status;
    this.lastSummary = job.summary;
    if (lines.length > 0) this.stream.write(`${lines.join('\n')}\n`);
  }

  finish(job: JobProgress): void {
    this.update(job);
  }
}
