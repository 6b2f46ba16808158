import { describe, expect, it } from 'vitest';

import { isInternalAddress, type Resolve, webhookTargetProblem } from './webhook-target';

const open = { allowedHosts: [], allowPublic: true };
// names resolve from this table only: the checks send nothing anywhere
const table: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14'],
  'sneaky.example.com': ['93.184.215.14', '10.1.2.3'],
  'metadata.internal': ['169.254.169.254'],
};
const resolve: Resolve = async (host) => {
  const found = table[host];
  if (!found) throw new Error('ENOTFOUND');
  return found;
};

describe('webhookTargetProblem', () => {
  it('accepts a public http(s) host', async () => {
    expect(await webhookTargetProblem('https://hooks.example.com/alerts', open, resolve)).toBeNull();
  });

  it.each([
    ['http://127.0.0.1:8080/hook', '127.0.0.1'],
    ['http://[::1]/hook', '::1'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['http://10.0.0.5/hook', '10.0.0.5'],
    ['http://192.168.1.1/hook', '192.168.1.1'],
    ['http://172.20.0.1/hook', '172.20.0.1'],
    ['http://[fe80::1]/hook', 'fe80::1'],
    ['http://0.0.0.0/hook', '0.0.0.0'],
    ['http://metadata.internal/x', '169.254.169.254'],
    ['http://sneaky.example.com/x', '10.1.2.3'],
  ])('refuses %s (an internal address)', async (url, address) => {
    expect(await webhookTargetProblem(url, open, resolve)).toContain(`(${address})`);
  });

  it('allows an internal host that is in the allow-list, and nothing else of it', async () => {
    const policy = { allowedHosts: ['127.0.0.1'], allowPublic: false };
    expect(await webhookTargetProblem('http://127.0.0.1:9999/hook', policy, resolve)).toBeNull();
    expect(await webhookTargetProblem('http://127.0.0.2/hook', policy, resolve)).toMatch(/loopback/);
    expect(await webhookTargetProblem('https://hooks.example.com/alerts', policy, resolve)).toMatch(/public webhook targets are turned off/);
  });

  it('refuses other schemes, credentials and names that do not resolve', async () => {
    expect(await webhookTargetProblem('ftp://hooks.example.com/x', open, resolve)).toBe('webhookUrl must be an http or https URL, got "ftp:"');
    expect(await webhookTargetProblem('https://user:pw@hooks.example.com/x', open, resolve)).toBe('webhookUrl must not carry credentials');
    expect(await webhookTargetProblem('https://nowhere.example.com/x', open, resolve)).toMatch(/does not resolve/);
  });

  it('classifies IPv4-mapped IPv6 addresses by their IPv4 address', () => {
    expect(isInternalAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isInternalAddress('::ffff:93.184.215.14')).toBe(false);
    expect(isInternalAddress('2606:2800:220:1::1')).toBe(false);
  });
});
