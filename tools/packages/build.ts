import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';

/**
 * `npm run build:packages`: compiles the installable packages with tsc (each package's
 * `tsconfig.build.json`) into its `dist/`, CommonJS + `.d.ts`. The workspace libraries a package
 * imports are compiled in beside it and their `@atelier/*` specifiers rewritten to relative
 * paths, so a tarball stands alone: what it requires at run time is Node's or in its package.json.
 */
interface PackageBuild {
  dir: string;
  /** workspace libs compiled into the package; anything else reaching it is an error */
  libs: string[];
}

const PACKAGES: PackageBuild[] = [
  { dir: 'libs/sdk', libs: ['sdk', 'contracts'] },
  // the CLI carries its own copy of the SDK, so `npm install -g` of its tarball alone works
  { dir: 'apps/cli', libs: ['sdk', 'contracts'] },
];

const ROOT = path.resolve(__dirname, '../..');
const SPECIFIER = /(\brequire\(|\bfrom |\bimport\()(['"])@atelier\/([a-z-]+)\2/g;

function build(pkg: PackageBuild): void {
  const dir = path.join(ROOT, pkg.dir);
  const dist = path.join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });

  const compiled = readdirSync(path.join(dist, 'libs'));
  const stray = compiled.filter((lib) => !pkg.libs.includes(lib));
  if (stray.length > 0)
    throw new Error(
      `${pkg.dir}: the build pulled in ${stray.map((l) => `libs/${l}`).join(', ')}; a package may carry only ${pkg.libs.join(', ')}`,
    );

  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const file of filesUnder(dist)) {
    const source = readFileSync(file, 'utf8');
    const rewritten = source.replace(SPECIFIER, (_m, lead: string, quote: string, lib: string) => {
      if (!pkg.libs.includes(lib)) throw new Error(`${path.relative(ROOT, file)} imports @atelier/${lib}, which ${pkg.dir} does not carry`);
      let target = path
        .relative(path.dirname(file), path.join(dist, 'libs', lib, 'src', 'index'))
        .split(path.sep)
        .join('/');
      if (!target.startsWith('.')) target = `./${target}`;
      return `${lead}${quote}${target}${quote}`;
    });
    if (rewritten !== source) writeFileSync(file, rewritten);
    if (file.endsWith('.js')) checkRequires(file, rewritten, Object.keys(manifest.dependencies ?? {}));
  }
  console.log(`[atelier] built ${pkg.dir}/dist`);
}

/** Every bare `require` of the compiled code is a Node built-in or a dependency of the package. */
function checkRequires(file: string, source: string, dependencies: string[]): void {
  for (const [, specifier = ''] of source.matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
    const name = specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
    if (!isBuiltin(specifier) && !dependencies.includes(name)) {
      throw new Error(`${path.relative(ROOT, file)} requires "${specifier}", which is not in the dependencies of its package.json`);
    }
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : full.endsWith('.js') || full.endsWith('.d.ts') ? [full] : [];
  });
}

for (const pkg of PACKAGES) build(pkg);
