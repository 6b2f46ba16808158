import { loadConfig } from '@atelier/config';

import { applyMigrations, MIGRATIONS_DIR } from '../migrations';

// `npm run db:migrate` (in the image: `node dist/libs/db/src/cli/migrate.js`): applies every
// pending migration to DATABASE_URL.
async function main(): Promise<void> {
  const config = loadConfig();
  const result = await applyMigrations(config.databaseUrl, MIGRATIONS_DIR);
  const target = new URL(config.databaseUrl);
  console.log(
    `[atelier-db] ${target.host}${target.pathname}: applied ${result.applied.length} migration(s)` +
      (result.applied.length ? ` (${result.applied.join(', ')})` : '') +
      `, ${result.alreadyApplied.length} already applied`,
  );
}

main().catch((error: unknown) => {
  console.error(`[atelier-db] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
