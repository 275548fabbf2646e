// The /etc every sandbox sees: a published copy (published.ts) of the few host files programs
// need, bound whole, with the workspace's own passwd and group bound over two empty placeholders.
// One bind instead of one per file matters because bubblewrap re-reads /proc/self/mountinfo for
// every bind it makes, and that table holds every workspace's disk: at 500 workspaces each read
// costs about a millisecond (docs/benchmarks.md, "Session creation").
import fs from 'node:fs/promises';
import path from 'node:path';
import { publishReadOnly } from './published.ts';

/**
 * 66+ programs resolve through /etc/alternatives on Debian; TLS needs the CA bundle; `localhost`
 * resolves only through /etc/hosts (a sandbox's loopback is its own; other names go through the
 * egress proxy, where a sandbox has one).
 */
const ENTRIES = ['alternatives', 'ld.so.cache', 'ssl', 'ca-certificates', 'localtime', 'hosts', 'nsswitch.conf'];
/** Mount points for the per-workspace files bound over them (sandbox.ts). */
const PLACEHOLDERS = ['passwd', 'group'];

/**
 * What of `names` under `etc` the sandbox gets: what any user can read there, as files and
 * symlinks. Anything a workspace uid could not read through a bind of the host's own file
 * (/etc/ssl/private, say) is left out, since a published copy is readable by all.
 */
async function readableEntries(etc: string, names: string[]): Promise<[string, string][]> {
  const visit = async (rel: string): Promise<[string, string][]> => {
    const st = await fs.lstat(path.join(etc, rel)).catch(() => null);
    if (!st) return [];
    if (st.isSymbolicLink() || (st.isFile() && st.mode & 0o004)) return [[path.join(etc, rel), rel]];
    if (!st.isDirectory() || (st.mode & 0o005) !== 0o005) return [];
    const children = (await fs.readdir(path.join(etc, rel))).sort();
    return (await Promise.all(children.map((name) => visit(`${rel}/${name}`)))).flat();
  };
  return (await Promise.all(names.map(visit))).flat();
}

/** Publishes the copy under `<root>/system-etc/`; a host /etc that changed gets a new copy at the next start. */
export async function publishSystemEtc(root: string, hostEtc = '/etc'): Promise<string> {
  // /dev/null reads as empty: the placeholders' content is never seen.
  const placeholders = PLACEHOLDERS.map((name): [string, string] => ['/dev/null', name]);
  return publishReadOnly(root, 'system-etc', [...await readableEntries(hostEtc, ENTRIES), ...placeholders]);
}
