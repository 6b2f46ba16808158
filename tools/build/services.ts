import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

import { compiledLibs, makeStandAlone, ROOT, tsc } from './compile';

/**
 * `npm run build:services`: the Nest services (`apps/<service>`), the libs they import and the
 * migration runner, compiled by tsc (Nest needs its decorator metadata) into one CommonJS tree,
 * `dist/`, laid out as the repository is — `dist/apps/platform/src/main.js`, `dist/libs/…` — so a
 * path a module finds from its own file (`__dirname`) means the same compiled as from source.
 * The files the code reads at run time are copied in beside it, and everything the tree requires
 * must be Node's or in the root package.json's `dependencies`: the production image installs
 * only those (`npm ci --omit=dev`, deploy/Dockerfile).
 */
const DIST = path.join(ROOT, 'dist');
const PROJECT = path.join(ROOT, 'tools/build/tsconfig.services.json');

/** What this build writes into `dist/`; `dist/packages` (`npm run pack:packages`) stays. */
const OUTPUTS = ['apps', 'libs', 'prisma'];

/** Files read at run time that tsc does not emit, at the same place under `dist/`. */
const ASSETS = [
  'libs/ml/src/onnx/onnx-ml.proto', // the ONNX schema the registry reads every artifact with
  'prisma/migrations', // the migration runner's SQL (libs/db MIGRATIONS_DIR)
];

function build(): void {
  // the Prisma client is TypeScript generated from the schema: compiled below with the rest
  if (!existsSync(path.join(ROOT, 'libs/db/src/generated/prisma/client.ts'))) {
    throw new Error('the Prisma client is not generated: run npm run db:generate first');
  }
  for (const output of OUTPUTS) rmSync(path.join(DIST, output), { recursive: true, force: true });
  tsc(PROJECT);
  for (const asset of ASSETS) cpSync(path.join(ROOT, asset), path.join(DIST, asset), { recursive: true });
  makeStandAlone(DIST, { libs: compiledLibs(DIST), manifest: 'package.json' });
  console.log(`[atelier] built the services into dist/ (${compiledLibs(DIST).length} libs)`);
}

build();
