import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';

import { deleteRunTopics } from './kafka-cleanup';
import { testNamespace, uniqueSuffix } from './test-env';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('deleteRunTopics (integration, the local Kafka)', () => {
  const admin = new Kafka({ clientId: 'kafka-cleanup-spec', brokers, logLevel: logLevel.NOTHING }).admin();
  const run = uniqueSuffix();
  const other = uniqueSuffix();
  const mine = [`test-${run}-${uniqueSuffix()}.predictions`, `fuzz-${run}-${uniqueSuffix()}.outcomes`];
  const theirs = `test-${other}-${uniqueSuffix()}.predictions`;

  afterAll(() => admin.disconnect());

  it("deletes the topics and empty consumer groups holding the run's token, and leaves another run's", async () => {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [...mine, theirs].map((topic) => ({ topic, numPartitions: 1 })) });
    // a consumer group of the run that has committed once and has no member left
    const group = `test-${run}-${uniqueSuffix()}.monitoring`;
    await admin.setOffsets({ groupId: group, topic: mine[0]!, partitions: [{ partition: 0, offset: '0' }] });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(group);

    await deleteRunTopics(run, brokers.join(','));

    // a new client: this one's metadata still has the deleted topics
    const after = new Kafka({ clientId: 'kafka-cleanup-spec-after', brokers, logLevel: logLevel.NOTHING }).admin();
    await after.connect();
    try {
      const topics = await after.listTopics();
      expect(topics.filter((t) => mine.includes(t))).toEqual([]);
      expect(topics).toContain(theirs);
      expect((await after.listGroups()).groups.map((g) => g.groupId)).not.toContain(group);
    } finally {
      await after.deleteTopics({ topics: [theirs] }).catch(() => undefined);
      await after.disconnect();
    }
  });

  it('gives up with a warning, without throwing, when no broker answers', async () => {
    const started = Date.now();
    await expect(deleteRunTopics(run, '127.0.0.1:1')).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(61_000);
  });

  it("makes namespaces that hold this run's token", () => {
    expect(testNamespace('fuzz')).toMatch(new RegExp(`^fuzz-${process.env.ATELIER_TEST_RUN}-[0-9a-f]{8}$`));
  });
});
