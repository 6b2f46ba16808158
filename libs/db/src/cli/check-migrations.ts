import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run db:check`: fails when prisma/schema.prisma changed without a migration.
 *
 * Every migration folder keeps the schema it was generated for (`schema.prisma` beside
 * `migration.sql`, written by `npm run db:migration:new`). Prisma diffs the newest of those
 * against the current schema; any difference means a migration is missing. (Diffing a database
 * built from the migrations would be nicer, but Prisma's schema engine cannot introspect through
 * a driver adapter yet.)
 */
function main(): void {
  // `--schema` and `--migrations` exist for the check's own test; the defaults are the project's.
  const schema = option('--schema') ?? 'prisma/schema.prisma';
  const migrations = option('--migrations') ?? 'prisma/migrations';
  const dir = path.resolve(migrations);
  const newest = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .at(-1);
  if (!newest) fail('there are no migrations; create one with: npm run db:migration:new -- init');
  const snapshot = path.join(dir, newest, 'schema.prisma');
  const diff = execFileSync(
    'bash',
    ['scripts/prisma.sh', 'migrate', 'diff', '--from-schema-datamodel', snapshot, '--to-schema-datamodel', path.resolve(schema), '--script'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const statements = diff
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('--'))
    .join('\n');
  if (statements) {
    fail(`prisma/schema.prisma has changes that no migration contains:\n${statements}\ncreate one with: npm run db:migration:new -- <name>`);
  }
  console.log(`[atelier-db] migrations match prisma/schema.prisma (newest: ${newest})`);
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function fail(message: string): never {
  console.error(`[atelier-db] ${message}`);
  process.exit(1);
}

try {
  main();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
