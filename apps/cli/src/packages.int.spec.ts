import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ModelResponse, PredictResponse } from '@atelier/contracts';
import { RegistryModule } from '@atelier/registry';
import { ServingModule } from '@atelier/serving';
import { registerLogisticModel, runProgram, runStep, startTestApp, type TestApp, uniqueSuffix } from '@atelier/testing';

const REPO = process.cwd();

/** A program of the team that installed the SDK: predicts once and prints the answer. */
const CONSUMER_JS = `
const { AtelierClient } = require('@atelier/sdk');
const client = new AtelierClient({ baseUrl: process.env.ATELIER_URL, apiKey: process.env.ATELIER_API_KEY });
client.predict({ model: process.argv[2], features: { distance: 500 } }).then((r) => console.log(JSON.stringify(r)));
`;

/** The same in TypeScript: the installed types must be real ones, not \`any\`. */
const CONSUMER_TS = `
import { AtelierApiError, AtelierClient, type PredictResponse } from '@atelier/sdk';

export async function score(client: AtelierClient): Promise<number> {
  const answer: PredictResponse = await client.predict({ model: 'delays', alias: 'production', features: { distance: 500 } });
  return answer.prediction;
}

export function wrong(answer: PredictResponse): string {
  // @ts-expect-error a prediction is a number
  return answer.prediction;
}

export const notFound = (error: unknown): boolean => error instanceof AtelierApiError && error.body.code === 'NOT_FOUND';
`;

/**
 * The installable packages as a team gets them: built (`npm run build:packages`), packed with
 * `npm pack`, installed from the tarballs into a fresh project outside the repository, then the
 * SDK called from plain JavaScript and type-checked TypeScript, and the `atelier` binary run
 * with npx, against the real platform.
 */
describe('@atelier/sdk and @atelier/cli packages (integration)', () => {
  let t: TestApp;
  const model = `pkg-${uniqueSuffix()}`;
  const work = mkdtempSync(path.join(tmpdir(), 'atelier-packages-'));
  const project = path.join(work, 'consumer');
  const env = () => ({ ATELIER_URL: t.baseUrl, ATELIER_API_KEY: t.adminKey });

  beforeAll(async () => {
    t = await startTestApp([RegistryModule, ServingModule]);
    await registerLogisticModel(t.client, model);
    await t.client.setAlias(model, 'production', 1);

    await runStep(process.execPath, ['-r', '@swc-node/register', 'tools/packages/build.ts'], REPO);
    const packed = JSON.parse(
      await runStep('npm', ['pack', './libs/sdk', './apps/cli', '--pack-destination', work, '--json'], REPO),
    ) as Array<{ filename: string }>;
    expect(packed.map((p) => p.filename)).toEqual(['atelier-sdk-0.1.0.tgz', 'atelier-cli-0.1.0.tgz']);

    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const tarballs = packed.map((p) => path.join(work, p.filename));
    await runStep('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], project);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs on its own: the two packages and their npm dependencies, nothing of the monorepo', () => {
    expect(readdirSync(path.join(project, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual([
      '@atelier',
      'commander',
      'yaml',
      'zod',
    ]);
    expect(readdirSync(path.join(project, 'node_modules/@atelier'))).toEqual(['cli', 'sdk']);
  });

  it('predicts through the installed SDK, from JavaScript', async () => {
    writeFileSync(path.join(project, 'predict.js'), CONSUMER_JS);
    const result = await runProgram(process.execPath, ['predict.js', model], { cwd: project, env: env() });
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout) as PredictResponse;
    expect(answer).toMatchObject({ model, version: 1, alias: 'production', inputs: { distance: 500 } });
    expect(answer.prediction).toBeCloseTo(1 / (1 + Math.exp(-(0.5 * 2 - 0.2))), 5);
  });

  it('type-checks a TypeScript program against the installed declarations', async () => {
    writeFileSync(path.join(project, 'score.ts'), CONSUMER_TS);
    const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
    const flags = [
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--target',
      'es2022',
      '--module',
      'commonjs',
      '--moduleResolution',
      'node',
      '--lib',
      'es2023,dom',
    ];
    const result = await runProgram(process.execPath, [tsc, ...flags, 'score.ts'], { cwd: project });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('runs the installed atelier binary with npx', async () => {
    const listed = await runProgram('npx', ['atelier', 'models', 'list', '--json'], { cwd: project, env: env() });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(listed.stdout) as ModelResponse[]).find((m) => m.name === model)).toMatchObject({
      latestVersion: 1,
      aliases: { production: 1 },
    });
    expect(await runProgram('npx', ['atelier', '--version'], { cwd: project })).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
    const unknown = await runProgram('npx', ['atelier', 'models', 'show', 'nope'], { cwd: project, env: env() });
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'error: model "nope" does not exist (404 NOT_FOUND)\n' });
  });
});
