import type { LoggerService, LogLevel } from '@nestjs/common';

const RANK: Record<string, number> = { debug: 10, verbose: 10, log: 20, info: 20, warn: 30, error: 40, fatal: 50 };

/** One JSON object per line on stdout: what log collectors ingest without parsing rules. */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly minLevel: 'debug' | 'info' | 'warn' | 'error' = 'info',
  ) {}

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

  private write(level: string, message: unknown, context?: string): void {
    if ((RANK[level] ?? 20) < (RANK[this.minLevel] ?? 20)) return;
    const fields = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    const line = JSON.stringify({ time: new Date().toISOString(), level, service: this.service, context, ...fields });
    (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
  }
}
