import { execSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Proves that `npm run lint` fails on an import across a forbidden boundary: each probe file is
 * written into a real project for the duration of one lint call.
 */
async function lintProbe(file: string, source: string): Promise<string[]> {
  writeFileSync(file, source);
  try {
    const [result] = await new ESLint().lintFiles([file]);
    return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('Nx module boundaries', () => {
  beforeAll(() => {
    execSync('npx nx show projects', { stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false' } });
  });

  it('keeps the web UI away from Prisma, Nest and ONNX Runtime', async () => {
    const messages = await lintProbe(
      'apps/web/app/__boundary-probe.ts',
      "import { PrismaService } from '@atelier/db';\nimport { Injectable } from '@nestjs/common';\nimport { InferenceSession } from 'onnxruntime-node';\n\nexport const probe = [PrismaService, Injectable, InferenceSession];\n",
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/scope:web" can only depend on libs tagged with "scope:client/),
        expect.stringMatching(/not allowed to import "@nestjs\/common"/),
        expect.stringMatching(/not allowed to import "onnxruntime-node"/),
      ]),
    );
  }, 60_000);

  it('keeps ml free of Nest, databases and the network', async () => {
    const messages = await lintProbe(
      'libs/ml/src/__boundary-probe.ts',
      "import { Injectable } from '@nestjs/common';\nimport { Client } from 'pg';\n\nexport const probe = [Injectable, Client];\n",
    );
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/not allowed to import "@nestjs\/common"/), expect.stringMatching(/not allowed to import "pg"/)]),
    );
  }, 60_000);

  it('lets domains talk only through shared libs, not through each other', async () => {
    const messages = await lintProbe('libs/serving/src/__boundary-probe.ts', "import { RegistryModule } from '@atelier/registry';\n\nexport const probe = RegistryModule;\n");
    expect(messages).toEqual([expect.stringMatching(/type:domain" can only depend on libs tagged with "type:shared/)]);
  }, 60_000);

  it('accepts the allowed direction: an app composing domain and shared libs', async () => {
    const messages = await lintProbe(
      'apps/platform/src/__boundary-probe.ts',
      "import { loadConfig } from '@atelier/config';\nimport { RegistryModule } from '@atelier/registry';\n\nexport const probe = [loadConfig, RegistryModule];\n",
    );
    expect(messages).toEqual([]);
  }, 60_000);
});
