import type { Command } from 'commander';

import { action, leaf } from '../command';
import { configPath, forgetLogin, saveLogin } from '../config-file';
import { clientFor, type CliIo } from '../context';
import { UsageError } from '../errors';
import { fields, formatTime } from '../output';

export function registerLogin(program: Command, io: CliIo): void {
  leaf(program, 'login', 'check an API key with the platform and save it for later commands (readable by you only)')
    .addHelpText(
      'after',
      `
The key comes from --api-key, else $ATELIER_API_KEY, else the first line of standard input
(which keeps it out of your shell history):
  atelier login --url https://atelier.example.com < key.txt
It is saved in $ATELIER_CONFIG, else $XDG_CONFIG_HOME/atelier/config.json, else
~/.config/atelier/config.json, and sent only to the URL it was saved with.`,
    )
    .action(
      action(io, async ({ url, out, givenKey }) => {
        const file = configPath(io.env);
        if (!file) throw new UsageError('nowhere to save the login: set HOME, XDG_CONFIG_HOME or ATELIER_CONFIG');
        const apiKey = givenKey ?? (await keyFromStdin(io));
        const who = await clientFor(url, apiKey, io).whoami();
        saveLogin(file, { url, apiKey, owner: who.owner, role: who.role });
        out.result(who, () => [`signed in to ${url} as ${who.owner} (${who.role}, key ${who.prefix}…); saved in ${file}`]);
      }),
    );

  leaf(program, 'logout', 'forget the saved API key').action(
    action(io, async ({ out }) => {
      const file = configPath(io.env);
      const removed = forgetLogin(file);
      out.result({ removed, file: file ?? null }, () => [removed ? `signed out: removed ${file}` : 'not signed in: nothing saved']);
    }),
  );

  leaf(program, 'whoami', "show the key's owner, role and expiry, as the platform sees it").action(
    action(io, async ({ client, out, url }) => {
      const who = await client.whoami();
      out.result(who, () => [
        ...fields([
          ['platform', url],
          ['owner', who.owner],
          ['role', who.role],
          ['key', `${who.prefix}… (${who.name})`],
          ['expires', who.expiresAt ? formatTime(who.expiresAt) : 'never'],
        ]),
      ]);
    }),
  );
}

/** The first non-empty line of standard input. */
async function keyFromStdin(io: CliIo): Promise<string> {
  if (!io.readStdin) throw new UsageError('no key given: pass --api-key, set ATELIER_API_KEY, or pipe the key in');
  const key = (await io.readStdin())
    .split(/\r?\n/)
    .find((line) => line.trim() !== '')
    ?.trim();
  if (!key) throw new UsageError('no key on standard input: `atelier login < key.txt`, or pass --api-key');
  return key;
}
