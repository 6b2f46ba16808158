import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { bearerKey, generateKey, hashKey, KEY_PATTERN } from './api-key';

describe('api keys', () => {
  it('hashes a key to the hex SHA-256 stored in the database', () => {
    const key = generateKey();
    expect(key).toMatch(KEY_PATTERN);
    expect(hashKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashKey('atl_ü')).toBe(createHash('sha256').update('atl_ü', 'utf8').digest('hex'));
  });

  it('reads the key of a bearer header, and nothing else', () => {
    expect(bearerKey('Bearer atl_abc')).toBe('atl_abc');
    expect(bearerKey('bearer   atl_abc  ')).toBe('atl_abc');
    expect(bearerKey('Basic atl_abc')).toBeUndefined();
    expect(bearerKey(['Bearer atl_abc'])).toBeUndefined();
    expect(bearerKey(undefined)).toBeUndefined();
  });
});
