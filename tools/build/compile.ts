import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';

/**
 * What `build:packages` and `build:services` share: tsc over a build tsconfig (CommonJS, with
 * decorator metadata where the tsconfig asks for it), then the compiled tree made to stand alone —
 * its `@atelier/*` specifiers rewritten to relative paths into the tree's own
 * `libs/<lib>/src/index`, and every bare `require` checked against the dependencies it ships with.
 */
export const ROOT = path.resolve(__dirname, '../..');

const SPECIFIER = /(\brequire\(|\bfrom |\bimport\()(['"])@atelier\/([a-z-]+)\2/g;
// `require("x")` as tsc emits imports, `require('x')` and `require.resolve('x')` as written by hand
const BARE_REQUIRE = /\brequire(?:\.resolve)?\((['"])([^'".][^'"]*)\1\)/g;

export function tsc(project: string): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], { stdio: 'inherit' });
}

/** The workspace libs tsc compiled into `dist` (it mirrors the repository: `dist/libs/<lib>/src`). */
export function compiledLibs(dist: string): string[] {
  return readdirSync(path.join(dist, 'libs'));
}

export interface StandAlone {
  /** workspace libs compiled into the tree; importing any other is an error */
  libs: string[];
  /** the package.json the tree is installed with (relative to the repository) */
  manifest: string;
}

/**
 * Rewrites the `@atelier/*` specifiers of the `.js` and `.d.ts` files under `dist` to relative
 * paths, and fails, naming the file and the module, on a bare `require` that is neither Node's
 * nor in the manifest's `dependencies`: nothing else is installed beside the tree.
 */
export function makeStandAlone(dist: string, { libs, manifest }: StandAlone): void {
  const { dependencies = {} } = JSON.parse(readFileSync(path.resolve(ROOT, manifest), 'utf8')) as { dependencies?: Record<string, string> };
  for (const file of filesUnder(dist)) {
    const source = readFileSync(file, 'utf8');
    const rewritten = source.replace(SPECIFIER, (_m, lead: string, quote: string, lib: string) => {
      if (!libs.includes(lib))
        throw new Error(`${path.relative(ROOT, file)} imports @atelier/${lib}, which ${path.relative(ROOT, dist)} does not carry`);
      let target = path
        .relative(path.dirname(file), path.join(dist, 'libs', lib, 'src', 'index'))
        .split(path.sep)
        .join('/');
      if (!target.startsWith('.')) target = `./${target}`;
      return `${lead}${quote}${target}${quote}`;
    });
    if (rewritten !== source) writeFileSync(file, rewritten);
    if (file.endsWith('.js')) checkRequires(file, rewritten, Object.keys(dependencies), manifest);
  }
}

/** Every bare `require` of the compiled code is a Node built-in or one of `dependencies`. */
function checkRequires(file: string, source: string, dependencies: string[], manifest: string): void {
  for (const [, , specifier = ''] of source.matchAll(BARE_REQUIRE)) {
    const name = specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
    if (!isBuiltin(specifier) && !dependencies.includes(name)) {
      throw new Error(`${path.relative(ROOT, file)} requires "${specifier}", which is not in the dependencies of ${manifest}`);
    }
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : full.endsWith('.js') || full.endsWith('.d.ts') ? [full] : [];
  });
}
