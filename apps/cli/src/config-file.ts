import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

import { UsageError } from './errors';

/** What `atelier login` saves: the platform signed in to, and the key to send to it. */
export const SavedLogin = z.object({
  url: z.string().min(1),
  apiKey: z.string().min(1),
  /** for `whoami`-style messages only; the platform is the authority */
  owner: z.string().optional(),
  role: z.string().optional(),
});
export type SavedLogin = z.infer<typeof SavedLogin>;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where the login is kept: `$ATELIER_CONFIG`, else `$XDG_CONFIG_HOME/atelier/config.json`, else
 * `~/.config/atelier/config.json`. `undefined` when there is no home to put it in.
 */
export function configPath(env: Env): string | undefined {
  if (env['ATELIER_CONFIG']) return env['ATELIER_CONFIG'];
  const base = env['XDG_CONFIG_HOME'] || (env['HOME'] ? path.join(env['HOME'], '.config') : undefined);
  return base ? path.join(base, 'atelier', 'config.json') : undefined;
}

/** The saved login, or `undefined` when there is none; a damaged file is a usage error naming it. */
export function readLogin(file: string | undefined): SavedLogin | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON: run \`atelier logout\` and \`atelier login\` again`);
  }
  const login = SavedLogin.safeParse(parsed);
  if (!login.success) throw new UsageError(`${file} is not an Atelier login: run \`atelier logout\` and \`atelier login\` again`);
  return login.data;
}

/**
 * Saves the login readable by its owner only (0600 in a 0700 directory), written beside and
 * renamed into place so that an interrupted save never leaves half a file.
 */
export function saveLogin(file: string, login: SavedLogin): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(login, null, 2) + '\n', { mode: 0o600 });
  chmodSync(partial, 0o600); // the mode above is masked by umask and ignored for an existing file
  renameSync(partial, file);
}

/** Forgets the login; answers whether there was one. */
export function forgetLogin(file: string | undefined): boolean {
  if (!file) return false;
  try {
    rmSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UsageError(`cannot remove ${file}: ${(error as Error).message}`);
  }
}
