import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { loadConfig } from '@atelier/config';
import { departuresOf, ensureReplayGroups, readFlights, REPLAY, replayDepartures, shiftTowards } from '@atelier/demo';
import { KafkaService } from '@atelier/kafka';
import { AtelierClient } from '@atelier/sdk';
import { HealthRegistry } from '@atelier/server';

const USAGE = `npm run demo:replay -- [--speedup 600] [--from 2001-01-01T00:00:00Z] [--to <from + 7 days>] [--limit 20000]`;
const DAY = 24 * 3600_000;

/**
 * `npm run demo:replay`: replays the demo's flights as departures on the feature-rows topic, in
 * the order they left and `--speedup` times faster than they happened, to a running platform
 * (`npm start`). The feature store computes `origin_delay_windows` (delays per origin airport over
 * the last hour and day) from the stream as they arrive; its online values change as you watch.
 * Ctrl-C stops it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      speedup: { type: 'string', default: '600' },
      from: { type: 'string', default: '2001-01-01T00:00:00Z' },
      to: { type: 'string' },
      limit: { type: 'string', default: '20000' },
    },
  });
  const speedup = Number(values.speedup);
  const limit = Number(values.limit);
  const from = new Date(values.from);
  const to = values.to ? new Date(values.to) : new Date(from.getTime() + 7 * DAY);
  if (
    !(speedup > 0) ||
    !Number.isInteger(limit) ||
    limit <= 0 ||
    Number.isNaN(from.getTime()) ||
    Number.isNaN(to.getTime()) ||
    from >= to
  ) {
    throw new Error(`usage: ${USAGE}`);
  }
  const config = loadConfig();
  const client = new AtelierClient({ baseUrl: config.urls.featureStore, apiKey: localAdminKey() });
  const log = (message: string) => console.log(`[atelier-replay] ${message}`);

  await ensureReplayGroups(client);
  const departures = departuresOf(await readFlights(from, to), limit);
  if (departures.length === 0)
    throw new Error(`no flights between ${from.toISOString()} and ${to.toISOString()} (the data covers 2001-01-01 to 2001-06-30)`);
  const shiftMs = shiftTowards(Date.now(), departures);
  const span = (departures.at(-1)!.time - departures[0]!.time) / 3600_000;
  log(
    `${departures.length} departures over ${span.toFixed(1)} h of 2001, moved ${Math.round(shiftMs / DAY)} days forward to end in the last hour; at ${speedup}× about ${Math.ceil((span * 3600) / speedup)} s`,
  );
  log(
    `watch: curl -s -H "Authorization: Bearer $ATELIER_API_KEY" -H 'content-type: application/json' ${config.urls.featureStore}/api/online-features \\`,
  );
  log(
    `  -d '{"features":["${REPLAY.windowsGroup}:mean_delay_1h","${REPLAY.windowsGroup}:departures_1h"],"entities":{"airport":["ORD","ATL"]}}'`,
  );

  const kafka = new KafkaService(config, new HealthRegistry());
  const stop = new AbortController();
  process.once('SIGINT', () => {
    log('stopping (Ctrl-C)');
    stop.abort();
  });
  try {
    const sent = await replayDepartures(departures, {
      speedup,
      shiftMs,
      signal: stop.signal,
      log,
      publish: (events) =>
        kafka.publish(
          'featureRows',
          events.map((e) => ({ key: `${e.group}:${e.entityKey}`, value: e })),
        ),
    });
    log(`sent ${sent} departures`);
  } finally {
    await kafka.onModuleDestroy();
  }
}

/** The API key: ATELIER_API_KEY, else the admin key `npm start` keeps in .atelier/keys.env. */
function localAdminKey(): string | undefined {
  const file = '.atelier/keys.env';
  if (process.env.ATELIER_API_KEY || !existsSync(file)) return undefined;
  return /^ATELIER_ADMIN_KEY=(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
}

main().catch((error: unknown) => {
  console.error(`[atelier-replay] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
