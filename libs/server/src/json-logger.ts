import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger } from 'pino';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

/**
 * One JSON object per line on stdout, written asynchronously by pino (a log line never blocks a
 * request; pino flushes what is buffered when the process exits). Nest's `Logger` calls land here.
 */
export class JsonLogger implements LoggerService {
  readonly pino: Logger;

  constructor(
    service: string,
    minLevel: LogLevelName = 'info',
    private readonly destination = pino.destination({ dest: 1, sync: false, minLength: 4096 }),
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
  }
}
