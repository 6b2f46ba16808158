import type { Command } from 'commander';

import { type CliIo, type Context, contextOf, DEFAULT_URL } from './context';
import { UsageError } from './errors';

/** An error of a command's action, with the platform URL it was talking to (for "cannot reach …"). */
export class CommandFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly url: string,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'CommandFailure';
  }
}

/**
 * The options every command takes. They are declared on each command (and the program) so that
 * they work both before and after its name: `atelier --json models list`, `atelier models list --json`.
 */
export function withGlobalOptions(command: Command): Command {
  return command
    .option('--url <url>', `the platform's URL (default: $ATELIER_URL, else ${DEFAULT_URL})`)
    .option('--api-key <key>', 'the API key to send (default: $ATELIER_API_KEY)')
    .option('--json', 'print exactly one JSON document, the API answer, on stdout');
}

/** A subcommand that does something (not a group), with the global options. */
export function leaf(parent: Command, nameAndArgs: string, description: string, options: { isDefault?: boolean } = {}): Command {
  return withGlobalOptions(parent.command(nameAndArgs, options).description(description));
}

/**
 * Commander's action for `handler`: it gets the context built from the global options, then the
 * command's own options, then its (parsed) arguments.
 */
export function action<O, A extends unknown[]>(io: CliIo, handler: (ctx: Context, options: O, ...args: A) => Promise<void>) {
  return async function (this: Command): Promise<void> {
    const ctx = contextOf(this, io);
    try {
      await handler(ctx, this.opts() as O, ...(this.processedArgs as A));
    } catch (error) {
      throw error instanceof UsageError ? error : new CommandFailure(error, ctx.url);
    }
  };
}
