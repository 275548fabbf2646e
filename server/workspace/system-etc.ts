// The /etc every sandbox sees: a published copy (published.ts) of the few host files programs
// need, bound whole, with the workspace's own passwd and group bound over two empty placeholders.
// One bind instead of one per file matters because bubblewrap re-reads /proc/self/mountinfo for
// every bind it makes, and that table holds every workspace's disk: at 500 workspaces each read
// costs about a millisecond (docs/benchmarks.md, "Session creation").
import fs from 'node:fs/promises';
import path from 'node:path';
import { publishReadOnly } from './published.ts';

/** 66+ programs resolve through /etc/alternatives on Debian; TLS needs the CA bundle. */
const SYSTEM_ENTRIES = ['alternatives', 'ld.so.cache', 'ssl', 'ca-certificates', 'localtime'];
/** Names are resolved by the egress proxy on the host; inside, only localhost needs resolving. */
const NETWORK_ENTRIES = ['hosts', 'nsswitch.conf'];
/** Mount points for the per-workspace files bound over them (sandbox.ts). */
const PLACEHOLDERS = ['passwd', 'group'];

/** Host paths of the two variants: without and with the files a network-on sandbox needs. */
export interface SystemEtc { offline: string; online: string }

/**
 * What of `names` under `etc` the sandbox gets: what any user can read there, as files and
 * symlinks. Anything a workspace uid could not read through a bind of the host's own file
 * (/etc/ssl/private, say) is left out, since a published copy is readable by all.
 */
async function readableEntries(etc: string, names: string[]): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const visit = async (rel: string): Promise<void> => {
    const st = await fs.lstat(path.join(etc, rel)).catch(() => null);
    if (!st) return;
    if (st.isSymbolicLink()) out.push([path.join(etc, rel), rel]);
    else if (st.isFile() && st.mode & 0o004) out.push([path.join(etc, rel), rel]);
    else if (st.isDirectory() && (st.mode & 0o005) === 0o005) {
      for (const name of (await fs.readdir(path.join(etc, rel))).sort()) await visit(`${rel}/${name}`);
    }
  };
  for (const name of names) await visit(name);
  return out;
}

/** Publishes both variants under `<root>/system-etc/`; a host /etc that changed gets new copies at the next start. */
export async function publishSystemEtc(root: string, hostEtc = '/etc'): Promise<SystemEtc> {
  const system = await readableEntries(hostEtc, SYSTEM_ENTRIES);
  const network = await readableEntries(hostEtc, NETWORK_ENTRIES);
  // /dev/null reads as empty: the placeholders' content is never seen.
  const placeholders = PLACEHOLDERS.map((name): [string, string] => ['/dev/null', name]);
  const [offline, online] = await Promise.all([
    publishReadOnly(root, 'system-etc', [...system, ...placeholders]),
    publishReadOnly(root, 'system-etc', [...system, ...network, ...placeholders]),
  ]);
  return { offline: offline!, online: online! };
}
