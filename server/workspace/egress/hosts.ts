// Destination names and the domain allowlist. An entry is a host name ("registry.npmjs.org") or
// a suffix pattern ("*.githubusercontent.com", which matches subdomains but not the bare name).
import net from 'node:net';
import { z } from 'zod';

/** What a fresh team may reach without asking: package registries and GitHub. */
export const DEFAULT_EGRESS_ALLOWLIST = [
  'registry.npmjs.org', 'registry.yarnpkg.com',
  'pypi.org', 'files.pythonhosted.org',
  'crates.io', 'index.crates.io', 'static.crates.io',
  'github.com', 'codeload.github.com', 'objects.githubusercontent.com', 'raw.githubusercontent.com',
] as const;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isHostName(s: string): boolean {
  return s.length <= 253 && s.split('.').length >= 2 && s.split('.').every((l) => LABEL.test(l));
}

/** A destination host as a client names it: a DNS name or an IP literal, lower-cased. */
export const destinationHostSchema = z.string().trim().toLowerCase()
  .transform((s) => s.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, ''))
  .refine((s) => net.isIP(s) !== 0 || isHostName(s) || s === 'localhost', 'expected a host name or an IP address');

/** An allowlist entry as an admin types it. */
export const allowlistEntrySchema = z.string().trim().toLowerCase()
  .refine((s) => isHostName(s.startsWith('*.') ? s.slice(2) : s), 'expected a host name such as registry.npmjs.org or *.example.com');

export function allowlistMatches(entries: readonly string[], host: string): string | null {
  for (const e of entries) {
    if (e === host) return e;
    if (e.startsWith('*.') && host.endsWith(e.slice(1))) return e;
  }
  return null;
}
