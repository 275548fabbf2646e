// Where a workspace host lives on disk, and how it is started so that it outlives the server.
//   <root>/host-runtime/<digest>/        0755 root  program.mjs, ring-buffer.mjs, node-pty's runtime files;
//                                                   bound read-only at /run/tether/runtime
//   <root>/hosts/<digest of id>/         0711 root  token (0600), pid, host.log (0600): the server's only
//   <root>/hosts/<digest of id>/run/     0700 uid   the host's socket; bound at /run/tether/host
// The host's socket sits outside the workspace's files, in a directory only its uid (and root)
// can enter; the token keeps out the workspace's own shells, which share the host's sandbox.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Launcher } from '../launcher.ts';
import { publishReadOnly } from '../published.ts';
import { startProcess } from '../spawner.ts';
import { MAX_FRAME_BYTES } from './protocol.ts';

export const SANDBOX_HOST_RUN = '/run/tether/host';
export const SANDBOX_HOST_RUNTIME = '/run/tether/runtime';
const SOCKET_NAME = 'h.sock';
const TOKEN_BYTES = 32;

export interface HostPlace {
  /** Root-owned: the token, the pid and the host's stderr. */
  dir: string;
  /** Owned by the workspace uid: where the host listens. */
  runDir: string;
  /** Read-only copy of what the host runs. */
  runtimeDir: string;
}

export const hostSocket = (place: HostPlace) => path.join(place.runDir, SOCKET_NAME);
export const hostToken = (place: HostPlace) => fs.readFile(path.join(place.dir, 'token'), 'utf8').catch(() => null);
export const hostLogTail = async (place: HostPlace, bytes = 1000) =>
  (await fs.readFile(path.join(place.dir, 'host.log'), 'utf8').catch(() => '')).slice(-bytes).trim();

/**
 * Kills the host started at this place and everything under it. The sandbox's processes live in
 * their own pid namespace below bwrap, which does not take them along when it dies (a host has no
 * --die-with-parent), so the whole tree is killed. The pid file is believed only while that
 * process still names this place (a pid is reused once its process is gone).
 */
export async function killHost(place: HostPlace): Promise<void> {
  const pid = Number(await fs.readFile(path.join(place.dir, 'pid'), 'utf8').catch(() => '')) || null;
  if (!pid) return;
  const names = async (file: string) => (await fs.readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '')).includes(place.runDir);
  if (!(await names('cmdline')) && !(await names('environ'))) return;
  const children = new Map<number, number[]>();
  for (const entry of await fs.readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; ppid follows the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  for (const p of tree) {
    try { process.kill(p, 'SIGKILL'); } catch { /* gone already */ }
  }
}

/** Short names: a Unix socket's path must stay under 108 bytes. */
export function hostPlace(root: string, runtimeDir: string, workspaceId: string): HostPlace {
  const dir = path.join(root, 'hosts', createHash('sha256').update(workspaceId).digest('hex').slice(0, 12));
  return { dir, runDir: path.join(dir, 'run'), runtimeDir };
}

export async function createHostPlace(place: HostPlace, uid: number | null): Promise<void> {
  await fs.mkdir(path.dirname(place.dir), { recursive: true, mode: 0o711 });
  await fs.chmod(path.dirname(place.dir), 0o711);
  await fs.mkdir(place.runDir, { recursive: true, mode: 0o700 });
  await fs.chmod(place.dir, 0o711);
  if (uid !== null) await fs.chown(place.runDir, uid, uid);
  await fs.chmod(place.runDir, 0o700);
}

export async function removeHostPlace(place: HostPlace): Promise<void> {
  await fs.rm(place.dir, { recursive: true, force: true });
}

/**
 * What the host runs, published read-only (published.ts): the program, the ring buffer, and
 * node-pty's JavaScript and native module, built for this very node.
 */
export async function prepareHostRuntime(root: string): Promise<string> {
  const own = new URL('.', import.meta.url).pathname;
  const ptyDir = path.dirname(createRequire(import.meta.url).resolve('node-pty/package.json'));
  const libs = (await fs.readdir(path.join(ptyDir, 'lib'))).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'));
  return publishReadOnly(root, 'host-runtime', [
    [path.join(own, 'program.mjs'), 'program.mjs'], [path.join(own, 'ring-buffer.mjs'), 'ring-buffer.mjs'],
    [path.join(ptyDir, 'package.json'), 'node-pty/package.json'],
    [path.join(ptyDir, 'build/Release/pty.node'), 'node-pty/build/Release/pty.node'],
    ...libs.map((f): [string, string] => [path.join(ptyDir, 'lib', f), `node-pty/lib/${f}`]),
  ]);
}

/**
 * A host serves one workspace: one V8 helper thread and two file-system threads are plenty, where
 * Node's defaults give it 11. Every thread on the machine is a task that each sandbox start's
 * `pivot_root` walks (chroot_fs_refs), and with 500 workspaces the hosts' threads were 6,000 of
 * the ~8,700 tasks: a sandbox start's two pivot_roots took ~7.5 ms there, against well under 1 ms
 * on an idle machine (docs/benchmarks.md).
 */
const HOST_NODE_ARGS = ['--v8-pool-size=1'];
const HOST_THREAD_ENV = { UV_THREADPOOL_SIZE: '2' };

/**
 * Starts a host, detached from the server (own process group, no --die-with-parent, stdio not
 * tied to us), with a fresh token on its stdin. Returns its pid (the sandbox chain's leader).
 */
export async function startHost(o: { launcher: Launcher; place: HostPlace; orphanExitMs: number; network: boolean }): Promise<number> {
  const { launcher, place } = o;
  const token = randomBytes(TOKEN_BYTES).toString('hex');
  await fs.writeFile(path.join(place.dir, 'token'), token, { mode: 0o600 });
  const run = { source: place.runDir, target: SANDBOX_HOST_RUN, readOnly: false };
  const runtime = { source: place.runtimeDir, target: SANDBOX_HOST_RUNTIME, readOnly: true };
  const launch = launcher.launch({
    // The server's own node: /usr is bound read-only into every sandbox.
    command: [process.execPath, ...HOST_NODE_ARGS, path.join(launcher.bindPath(runtime), 'program.mjs')],
    env: {
      ...HOST_THREAD_ENV,
      TETHER_HOST_SOCKET: path.join(launcher.bindPath(run), SOCKET_NAME),
      TETHER_HOST_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      TETHER_HOST_ORPHAN_EXIT_MS: String(o.orphanExitMs),
      TETHER_HOST_NETWORK: o.network ? '1' : '0',
    },
    interactive: false, outliveServer: true, extraBinds: [run, runtime], network: o.network,
  });
  // stdout ignored, stderr to host.log: nothing ties the host to the server's (or the spawner's) pipes.
  const pid = await startProcess(launch.argv, {
    cwd: launch.cwd, env: launch.env, stdin: token, output: 'ignore', stderrFile: path.join(place.dir, 'host.log'),
  });
  await fs.writeFile(path.join(place.dir, 'pid'), String(pid), { mode: 0o600 });
  return pid;
}
