import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { buildProgram } from './cli';
import { apiError, fakePlatform, runCli } from './cli.test-helpers';

const MODELS = [
  { name: 'delays', description: 'flight delays', latestVersion: 2, aliases: { production: 2 }, createdAt: '2001-01-31T23:59:30.000Z' },
];

/** Every command path of the program: `models`, `models list`, …, `jobs cancel`. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

describe('atelier (command line)', () => {
  it('takes the URL and key from the environment, the flags overriding them, before or after the command', async () => {
    const api = fakePlatform({ 'GET /api/models': MODELS });
    const fromEnv = await runCli(['models', 'list', '--json'], {
      fetch: api.fetch,
      env: { ATELIER_URL: 'http://env.test/', ATELIER_API_KEY: 'atl_env' },
    });
    expect(fromEnv.code).toBe(0);
    expect(api.calls[0]).toMatchObject({ origin: 'http://env.test', path: '/api/models', headers: { authorization: 'Bearer atl_env' } });
    const flagsBefore = await runCli(['--url', 'http://flag.test', '--api-key', 'atl_flag', '--json', 'models', 'list'], {
      fetch: api.fetch,
    });
    const flagsAfter = await runCli(['models', 'list', '--url', 'http://flag.test', '--api-key=atl_flag', '--json'], { fetch: api.fetch });
    expect(api.calls.slice(1).map((c) => [c.origin, c.headers['authorization']])).toEqual([
      ['http://flag.test', 'Bearer atl_flag'],
      ['http://flag.test', 'Bearer atl_flag'],
    ]);
    expect(flagsBefore.stdout).toBe(flagsAfter.stdout);
    expect(JSON.parse(flagsAfter.stdout)).toEqual(MODELS);
  });

  it('defaults to the local platform and sends no key when none is given', async () => {
    const api = fakePlatform({ 'GET /api/models': [] });
    const result = await runCli(['models', 'list'], { fetch: api.fetch, env: {} });
    expect(result).toEqual({ code: 0, stdout: 'no models yet\n', stderr: '' });
    expect(api.calls[0]?.origin).toBe('http://127.0.0.1:3000');
    expect(api.calls[0]?.headers).not.toHaveProperty('authorization');
  });

  it('answers --help on every command and subcommand, on stdout with exit 0', async () => {
    const paths = commandPaths(buildProgram({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} })).filter(
      (p) => p.at(-1) !== 'help',
    );
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining([
        'models list',
        'models show',
        'models upload',
        'versions',
        'alias set',
        'alias get',
        'predict',
        'train',
        'jobs list',
        'jobs show',
        'jobs cancel',
        'batch submit',
        'batch list',
        'batch show',
        'batch cancel',
        'batch delete',
        'batch predictions',
        'batch download',
      ]),
    );
    for (const path of [[], ...paths]) {
      const result = await runCli([...path, '--help']);
      expect(result.code, path.join(' ')).toBe(0);
      expect(result.stdout, path.join(' ')).toMatch(new RegExp(`^Usage: atelier ${path.join(' ')}`.trim()));
      expect(result.stderr).toBe('');
    }
    expect((await runCli(['predict', '--help'])).stdout).toContain('--version <version>');
    expect((await runCli(['batch', 'submit', '--help'])).stdout).toContain('--version <version>');
  });

  it('prints its version with --version, and `predict --version` is the model version instead', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    const api = fakePlatform({ 'POST /api/predict': apiError(404, 'NOT_FOUND', 'version 3 of model "delays" does not exist') });
    const result = await runCli(['predict', 'delays', '--version', '3'], { fetch: api.fetch });
    expect(api.calls[0]?.body).toMatchObject({ model: 'delays', version: 3 });
    expect(result.code).toBe(1);
  });

  it.each([
    [['nosuch'], "error: unknown command 'nosuch'"],
    [['models', 'list', '--nope'], "error: unknown option '--nope'"],
    [['models', 'show'], "error: missing required argument 'name'"],
    [['versions', 'a', 'b'], 'error: too many arguments'],
    [['alias', 'set', 'delays', 'production', 'two'], "value 'two' is invalid for argument 'version'. expected a version number"],
    [
      ['predict', 'delays', '--alias', 'production', '--version', '2'],
      "option '--alias <alias>' cannot be used with option '--version <version>'",
    ],
    [['predict', 'delays', '--feature', 'distance'], 'expected name=value'],
    [['predict', 'delays', '--rows', 'rows.json', '--entity', 'airport=SFO'], 'cannot be used with option'],
    [['train', 'spec.json', '--interval', '0'], 'expected a positive number of seconds'],
    [['batch', 'submit', 'delays', '--group', 'flights', '--start', '2001-01-01'], 'error: give --group, --start and --end, or --file'],
    [['models', 'list', '--url', 'localhost:3000'], 'error: --url: "localhost:3000" is not an http(s) URL'],
    [['models', 'list', '--url', 'not a url'], 'error: --url: "not a url" is not a URL'],
  ])('exits 2 on wrong usage: %j', async (argv, message) => {
    const api = fakePlatform({});
    const result = await runCli(argv, { fetch: api.fetch });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('(add --help for usage)');
    expect(result.stdout).toBe('');
    expect(api.calls).toEqual([]);
  });

  it('exits 2 and shows the choices for a group without its subcommand', async () => {
    const result = await runCli(['alias']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: atelier alias/);
    expect(result.stderr).toContain('set [options] <name> <alias> <version>');
  });

  it("exits 1 with the API's message in plain words on stderr, and nothing on stdout", async () => {
    const api = fakePlatform({ 'GET /api/models/nope': () => apiError(404, 'NOT_FOUND', 'model "nope" does not exist') });
    for (const json of [[], ['--json']]) {
      const result = await runCli(['models', 'show', 'nope', ...json], { fetch: api.fetch });
      expect(result).toEqual({ code: 1, stdout: '', stderr: 'error: model "nope" does not exist (404 NOT_FOUND)\n' });
    }
  });

  it('exits 1 when the platform cannot be reached, naming the URL', async () => {
    const refused = async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    };
    const result = await runCli(['versions', 'delays', '--url', 'http://127.0.0.1:3999'], { fetch: refused as typeof fetch });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: cannot reach Atelier at http://127.0.0.1:3999 (ECONNREFUSED)\nhint: is the platform running? Point --url or ATELIER_URL at it.\n',
    );
  });
});
