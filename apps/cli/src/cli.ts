import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Command, CommanderError } from 'commander';

import { CommandFailure, withGlobalOptions } from './command';
import { registerAlerts } from './commands/alerts';
import { registerAlias } from './commands/alias';
import { registerBatch } from './commands/batch';
import { registerDeploy } from './commands/deploy';
import { registerFeatures } from './commands/features';
import { registerJobs } from './commands/jobs';
import { registerLogin } from './commands/login';
import { registerModels } from './commands/models';
import { registerMonitors } from './commands/monitors';
import { registerPredict } from './commands/predict';
import { registerTrain } from './commands/train';
import { registerVersions } from './commands/versions';
import { type CliIo, DEFAULT_URL } from './context';
import { describeError, ExitCode, UsageError } from './errors';

const HELP_AFTER = `
Examples:
  atelier models list
  atelier models upload iris model.onnx --columns X=sepal_length,sepal_width,petal_length,petal_width --alias production
  atelier predict flight-delay --entity airport=SFO --entity route=SFO-LAX --feature distance=337 --feature hour=18
  atelier train request.yaml --watch
  atelier batch submit flight-delay --group flights --start 2001-01-22 --end 2001-02-01 --passthrough origin,destination --watch
  atelier features import airport_delay_stats stats.csv --time-column hour_end --entity-column airport
  atelier versions flight-delay --json
  atelier deploy set flight-delay --canary 3 --share 10 --sticky-by airport --shadow 4
  atelier login --url https://atelier.example.com < key.txt

Environment: ATELIER_URL (default ${DEFAULT_URL}), ATELIER_API_KEY, ATELIER_CONFIG (where
\`atelier login\` saves the key; default ~/.config/atelier/config.json). Flags win over the
environment, which wins over the saved login.
Exit codes: 0 done, 1 the API refused or failed (or a watched job failed or was cancelled), 2 wrong usage.`;

/** The `atelier` program; its output and exits go through `io` and exceptions, never process.exit. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('atelier')
    .description('The Atelier command line: models, versions, aliases, deployments, predictions, training and batch scoring jobs.')
    .version(cliVersion(), '-V, --version', 'print the version of atelier')
    // options after a command's name are that command's: `predict --version 3` is not the program's --version
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', HELP_AFTER);
  withGlobalOptions(program);
  registerModels(program, io);
  registerVersions(program, io);
  registerAlias(program, io);
  registerDeploy(program, io);
  registerPredict(program, io);
  registerTrain(program, io);
  registerJobs(program, io);
  registerBatch(program, io);
  registerFeatures(program, io);
  registerMonitors(program, io);
  registerAlerts(program, io);
  registerLogin(program, io);
  return program;
}

/** Runs one command line (without `node atelier`) and answers the exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    // commander has printed its own usage errors, help and version already
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n(add --help for usage)\n`);
      return ExitCode.usage;
    }
    const lines = error instanceof CommandFailure ? describeError(error.cause, error.url) : describeError(error, '');
    io.stderr.write(`${lines.join('\n')}\n`);
    return ExitCode.failure;
  }
}

/** The version in this package's package.json: beside `src/` here, at the package's root once installed. */
function cliVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@atelier/cli' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
