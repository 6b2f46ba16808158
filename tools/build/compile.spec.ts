import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { makeStandAlone } from './compile';

describe('makeStandAlone: a compiled tree that needs nothing but its dependencies', () => {
  let dir = '';
  /** a tree with `apps/app/src/main.js` holding `main`, its manifest listing `dependencies` */
  const tree = (main: string, dependencies: Record<string, string> = {}) => {
    dir = mkdtempSync(path.join(tmpdir(), 'atelier-compile-'));
    const dist = path.join(dir, 'dist');
    for (const lib of ['contracts', 'db']) {
      mkdirSync(path.join(dist, 'libs', lib, 'src'), { recursive: true });
      writeFileSync(path.join(dist, 'libs', lib, 'src/index.js'), '"use strict";\n');
    }
    mkdirSync(path.join(dist, 'apps/app/src'), { recursive: true });
    writeFileSync(path.join(dist, 'apps/app/src/main.js'), main);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ dependencies }));
    return { dist, manifest: path.join(dir, 'package.json'), main: path.join(dist, 'apps/app/src/main.js') };
  };

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites @atelier specifiers to relative paths and accepts built-ins and dependencies', () => {
    const t = tree('const c = require("@atelier/contracts");\nconst fs = require("node:fs");\nconst z = require("zod/v4");\n', {
      zod: '^4',
    });
    makeStandAlone(t.dist, { libs: ['contracts', 'db'], manifest: t.manifest });
    expect(readFileSync(t.main, 'utf8')).toBe(
      'const c = require("../../../libs/contracts/src/index");\nconst fs = require("node:fs");\nconst z = require("zod/v4");\n',
    );
  });

  it('fails on a package outside dependencies, naming the file and the module, also when written by hand', () => {
    const t = tree("const hook = require.resolve('@swc-node/register');\n", { zod: '^4' });
    expect(() => makeStandAlone(t.dist, { libs: ['contracts', 'db'], manifest: t.manifest })).toThrow(
      `${path.relative(path.resolve(__dirname, '../..'), t.main)} requires "@swc-node/register", which is not in the dependencies of ${t.manifest}`,
    );
  });

  it('fails on a workspace lib the tree does not carry', () => {
    const t = tree('require("@atelier/testing");\n');
    expect(() => makeStandAlone(t.dist, { libs: ['contracts', 'db'], manifest: t.manifest })).toThrow(
      /imports @atelier\/testing, which .* does not carry/,
    );
  });
});
