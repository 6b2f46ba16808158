import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { freePort, runProgram, runStep, testNamespace, uniqueSuffix } from '@atelier/testing';

const REPO = process.cwd();
const IMAGE = 'atelier/platform:local';
const CONTAINERS_CONF = path.join(REPO, 'deploy/image/containers.conf');

/**
 * deploy/Dockerfile as a real image: built unchanged by Podman (`npm run image:build`: the base
 * image made from Debian's packages and Node.js from the npm registry, since Docker Hub is out of
 * reach), holding the production dependencies only, and started against the real PostgreSQL,
 * Redis and Kafka (`npm run image:smoke`: its own database, namespace and port; migrated by the
 * image's migration runner) until it answers ready, running as the unprivileged `node` user.
 * A cold build takes about six minutes; later ones reuse Podman's layers.
 */
describe('the platform image, built from deploy/Dockerfile (integration)', () => {
  it('builds without dev dependencies, migrates a database and starts ready as user node', async () => {
    await runStep('bash', ['deploy/image/build.sh', 'platform'], REPO, 25 * 60_000);

    // dependencies: the production ones are there, the dev tooling is not (typescript does come
    // along: npm installs @prisma/client's optional peers, as services.int.spec.ts notes)
    const resolve = `for (const name of ['onnxruntime-node', '@nestjs/core', 'vitest', 'nx', 'eslint', '@swc-node/register', 'playwright-core'])
      { let found = true; try { require.resolve(name); } catch { found = false; } console.log(name + ' ' + found); }`;
    const found = await runProgram('podman', ['run', '--rm', '--network', 'none', IMAGE, 'node', '-e', resolve], {
      cwd: REPO,
      env: { CONTAINERS_CONF },
      timeoutMs: 60_000,
    });
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout.trim().split('\n')).toEqual([
      'onnxruntime-node true',
      '@nestjs/core true',
      'vitest false',
      'nx false',
      'eslint false',
      '@swc-node/register false',
      'playwright-core false',
    ]);

    const s = uniqueSuffix().replace(/-/g, '_');
    const smoke = await runProgram('bash', ['deploy/image/smoke.sh'], {
      cwd: REPO,
      env: { CONTAINERS_CONF, PORT: String(await freePort()), DB: `atelier_image_${s}`, ATELIER_NAMESPACE: testNamespace('image'), TIMEOUT: '180' },
      timeoutMs: 5 * 60_000,
    });
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(smoke.stderr).toMatch(/platform: ready in \d+s: \{"status":"ok"/);
    expect(smoke.stderr).toContain('uid=1000(node)');
  }, 35 * 60_000);
});
