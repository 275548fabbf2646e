// The address and name rules the proxy applies before anyone is asked.
import { describe, expect, it } from 'vitest';
import { blockedAddresses, isBlocked } from './addresses.ts';
import { allowlistEntrySchema, allowlistMatches, destinationHostSchema } from './hosts.ts';

describe('blocked addresses', () => {
  const list = blockedAddresses();
  it.each([
    '127.0.0.1', '127.5.5.5', '0.0.0.0', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '64:ff9b::a00:1', '[::1]', 'not-an-ip',
  ])('refuses %s', (a) => expect(isBlocked(list, a)).toBe(true));

  it.each(['1.1.1.1', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:1.1.1.1'])('lets %s through', (a) => {
    expect(isBlocked(list, a)).toBe(false);
  });
});

describe('the allowlist', () => {
  it('matches exact names and subdomains of a *. entry, never the bare or a look-alike name', () => {
    const entries = ['registry.npmjs.org', '*.example.com'];
    expect(allowlistMatches(entries, 'registry.npmjs.org')).toBe('registry.npmjs.org');
    expect(allowlistMatches(entries, 'api.example.com')).toBe('*.example.com');
    expect(allowlistMatches(entries, 'a.b.example.com')).toBe('*.example.com');
    expect(allowlistMatches(entries, 'example.com')).toBeNull();
    expect(allowlistMatches(entries, 'evilexample.com')).toBeNull();
    expect(allowlistMatches(entries, 'registry.npmjs.org.evil.com')).toBeNull();
  });

  it('accepts host names and *.suffix entries, lower-cased, and refuses anything else', () => {
    expect(allowlistEntrySchema.parse(' PyPI.org ')).toBe('pypi.org');
    expect(allowlistEntrySchema.parse('*.githubusercontent.com')).toBe('*.githubusercontent.com');
    for (const bad of ['*', '*.com', 'localhost', 'a b.com', 'https://x.com', 'x.com/path', '10.0.0.1:80', '']) {
      expect(allowlistEntrySchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('normalises destination names as clients send them', () => {
    expect(destinationHostSchema.parse('Example.COM.')).toBe('example.com');
    expect(destinationHostSchema.parse('[::1]')).toBe('::1');
    expect(destinationHostSchema.safeParse('exa mple.com').success).toBe(false);
  });
});
