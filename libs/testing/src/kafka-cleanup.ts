import { Kafka, logLevel } from 'kafkajs';

/**
 * Deletes the Kafka topics and consumer groups a test run made: every name holding the run's
 * token (see `testNamespace`). Topics nobody deletes pile up on a developer's broker: a run of
 * `npm test` made ~180 topics, ~600 partitions and hundreds of MB of log directories. Bounded in
 * time; a broker that does not answer leaves them, with a warning, and never fails the run.
 */
export async function deleteRunTopics(run: string, brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'): Promise<void> {
  const mine = (name: string) => name.includes(`-${run}-`);
  const kafka = new Kafka({
    clientId: 'atelier-test-cleanup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const work = async () => {
    await admin.connect();
    // groups first: once its topics are deleted, the admin's metadata of them fails its next request
    // (a group is deleted only once it has no members; one of a process still stopping stays)
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter(mine);
    const deleted = groups.length > 0 ? await admin.deleteGroups(groups).catch(() => []) : [];
    const topics = (await admin.listTopics()).filter(mine);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    return { topics: topics.length, groups: deleted.filter((g) => !g.error).length };
  };
  try {
    const done = await Promise.race([
      work(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 60 s')), 60_000))),
    ]);
    console.log(`[atelier-test] deleted this run's ${done.topics} Kafka topics and ${done.groups} consumer groups`);
  } catch (error) {
    console.warn(`[atelier-test] could not delete this run's Kafka topics: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
