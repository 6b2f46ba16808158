import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/** What is buffered goes out at least this often, so a quiet process's lines are not held back. */
const FLUSH_EVERY_MS = 1_000;

/**
 * One JSON object per line on stdout, written asynchronously by pino (a log line never blocks a
 * request; pino flushes what is buffered when the process exits). Lines are buffered up to 4 KB,
 * for at most a second; a warning or an error is written at once (or with the next flush, when a
 * write is under way). Nest's `Logger` calls land here.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Logger;

  constructor(
    service: string,
    minLevel: LogLevelName = 'info',
    private readonly destination = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: FLUSH_EVERY_MS }),
  ) {
    this.pino = pino(
      {
        level: minLevel,
        base: { service },
        messageKey: 'msg',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination,
    );
  }

  /**
   * Writes out what is buffered. pino does so on a normal exit, but Nest's shutdown hooks end the
   * process by re-raising the signal, which skips exit handlers: the server calls this on close.
   */
  flush(): void {
    try {
      this.destination.flushSync();
    } catch {
      // nothing buffered yet (the stream is still opening)
    }
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('error', message, context);
  }
  setLogLevels(_levels: LogLevel[]): void {
    // levels come from LOG_LEVEL once, at start-up
  }

  private write(level: LogLevelName, message: unknown, context?: string): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    this.pino[level]({ context, ...fields });
    // rare, and wanted in the log now (a process that died, a dependency gone), not after 4 KB more
    if (level === 'warn' || level === 'error') this.flushSoon();
  }

  /** Starts writing out what is buffered (unless a write is under way: then the next periodic flush does). */
  private flushSoon(): void {
    try {
      this.destination.flush();
    } catch {
      // not open yet, or closed: pino writes it out on exit
    }
  }
}
