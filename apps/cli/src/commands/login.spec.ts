import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { beforeEach, describe, expect, it } from 'vitest';

import { apiError, fakePlatform, runCli } from '../cli.test-helpers';

const WHO = { id: 'k1', prefix: 'atl_abcd1234', name: 'laptop', owner: 'ada', role: 'editor', expiresAt: null };
const KEY = 'atl_abcd1234' + 'x'.repeat(32);

describe('atelier login / logout / whoami', () => {
  let home: string;
  let file: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(tmpdir(), 'atelier-login-'));
    file = path.join(home, 'atelier', 'config.json');
  });

  const platform = () =>
    fakePlatform({
      'GET /api/auth/whoami': (call) =>
        call.headers['authorization'] === `Bearer ${KEY}` ? WHO : apiError(401, 'UNAUTHENTICATED', 'unknown API key'),
      'GET /api/models': [],
    });

  it('checks the key read from standard input, saves it for its owner only, and later commands send it', async () => {
    const api = platform();
    const login = await runCli(['login', '--url', 'https://atelier.test/'], {
      fetch: api.fetch,
      env: { XDG_CONFIG_HOME: home },
      stdin: `\n${KEY}\n`,
    });
    expect(login).toEqual({
      code: 0,
      stdout: `signed in to https://atelier.test as ada (editor, key atl_abcd1234…); saved in ${file}\n`,
      stderr: '',
    });
    expect(api.calls[0]).toMatchObject({ origin: 'https://atelier.test', path: '/api/auth/whoami' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: 'https://atelier.test', apiKey: KEY, owner: 'ada', role: 'editor' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    const listed = await runCli(['models', 'list'], { fetch: api.fetch, env: { XDG_CONFIG_HOME: home } });
    expect(listed.code).toBe(0);
    expect(api.calls[1]).toMatchObject({ origin: 'https://atelier.test', headers: { authorization: `Bearer ${KEY}` } });
  });

  it('sends the saved key only to the URL it was saved with; the flag and the environment win over it', async () => {
    const api = platform();
    await runCli(['login', '--url', 'https://atelier.test', '--api-key', KEY], { fetch: api.fetch, env: { XDG_CONFIG_HOME: home } });
    await runCli(['models', 'list', '--url', 'https://elsewhere.test'], { fetch: api.fetch, env: { XDG_CONFIG_HOME: home } });
    await runCli(['models', 'list'], { fetch: api.fetch, env: { XDG_CONFIG_HOME: home, ATELIER_API_KEY: 'atl_env' } });
    await runCli(['models', 'list', '--api-key', 'atl_flag'], {
      fetch: api.fetch,
      env: { XDG_CONFIG_HOME: home, ATELIER_API_KEY: 'atl_env' },
    });
    expect(api.calls.slice(1).map((c) => [c.origin, c.headers['authorization']])).toEqual([
      ['https://elsewhere.test', undefined],
      ['https://atelier.test', 'Bearer atl_env'],
      ['https://atelier.test', 'Bearer atl_flag'],
    ]);
  });

  it('saves nothing when the platform refuses the key, and says why', async () => {
    const result = await runCli(['login', '--url', 'https://atelier.test'], {
      fetch: platform().fetch,
      env: { ATELIER_CONFIG: file },
      stdin: 'atl_wrong\n',
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: unknown API key (401 UNAUTHENTICATED)\nhint: set ATELIER_API_KEY, pass --api-key, or run `atelier login`\n',
    });
    expect(existsSync(file)).toBe(false);
  });

  it('exits 2 with no key anywhere, and when the saved file is damaged', async () => {
    const api = platform();
    const none = await runCli(['login'], { fetch: api.fetch, env: { ATELIER_CONFIG: file } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no key on standard input');
    writeFileSync(file.replace('atelier/config.json', 'broken.json'), '{"url":');
    const damaged = await runCli(['models', 'list'], { fetch: api.fetch, env: { ATELIER_CONFIG: path.join(home, 'broken.json') } });
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toContain('broken.json is not JSON: run `atelier logout` and `atelier login` again');
    expect(api.calls).toEqual([]);
  });

  it("shows the key's owner and role, and logout forgets the key", async () => {
    const api = platform();
    const env = { ATELIER_CONFIG: file };
    await runCli(['login', '--url', 'https://atelier.test', '--api-key', KEY], { fetch: api.fetch, env });
    const who = await runCli(['whoami'], { fetch: api.fetch, env });
    expect(who.stdout).toBe(
      'platform  https://atelier.test\nowner     ada\nrole      editor\nkey       atl_abcd1234… (laptop)\nexpires   never\n',
    );
    expect(await runCli(['logout'], { fetch: api.fetch, env })).toEqual({ code: 0, stdout: `signed out: removed ${file}\n`, stderr: '' });
    expect(existsSync(file)).toBe(false);
    expect((await runCli(['logout'], { env })).stdout).toBe('not signed in: nothing saved\n');
    const after = await runCli(['whoami', '--url', 'https://atelier.test'], { fetch: api.fetch, env });
    expect(after.code).toBe(1);
    expect(api.calls.at(-1)?.headers).not.toHaveProperty('authorization');
  });
});
