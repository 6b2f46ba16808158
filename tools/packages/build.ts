import { rmSync } from 'node:fs';
import path from 'node:path';

import { compiledLibs, makeStandAlone, ROOT, tsc } from '../build/compile';

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

function build(pkg: PackageBuild): void {
  const dir = path.join(ROOT, pkg.dir);
  const dist = path.join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  tsc(path.join(dir, 'tsconfig.build.json'));

  const stray = compiledLibs(dist).filter((lib) => !pkg.libs.includes(lib));
  if (stray.length > 0)
    throw new Error(
      `${pkg.dir}: the build pulled in ${stray.map((l) => `libs/${l}`).join(', ')}; a package may carry only ${pkg.libs.join(', ')}`,
    );
  makeStandAlone(dist, { libs: pkg.libs, manifest: `${pkg.dir}/package.json` });
  console.log(`[atelier] built ${pkg.dir}/dist`);
}

for (const pkg of PACKAGES) build(pkg);
