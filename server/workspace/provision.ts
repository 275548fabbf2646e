// Fills a fresh workspace directory: nothing, a built-in template, or a git clone. Nothing here
// writes into the workspace as root: a template is copied by one `cp` and the clone runs by git,
// both inside the workspace sandbox as the workspace uid, so a hostile repository is handled by
// the same confinement as everything else. The template is copied from its read-only published
// copy (published.ts), not through the workspace host: starting a host only to write a few files
// cost a node start per session and left it running, idle, for HOST_IDLE_MS.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Launcher } from './launcher.ts';
import { filesUnder, publishReadOnly } from './published.ts';
import type { FileService } from './files.ts';
import type { ExecResult, WorkspaceSource } from './provider.ts';
import { runProcess } from './run-process.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));
const CLONE_TIMEOUT_MS = 10 * 60_000;
const SOURCE_MOUNT = '/tether-source';
const TEMPLATE_MOUNT = '/tether-template';
const TEMPLATE_COPY_TIMEOUT_MS = 60_000;
/** ext:: and friends run arbitrary commands: only plain transports are allowed. */
const GIT_PROTOCOLS = 'http:https:git:file';

/**
 * A server-local repository belongs to another uid than the cloner, which git refuses unless
 * safe.directory allows it. `git -c` does not reach the upload-pack of a local clone (git drops
 * GIT_CONFIG_PARAMETERS for it), so the setting goes in a throw-away global config.
 */
const CLONE_SCRIPT = `f=$(mktemp) || exit 1
printf '[safe]\\n\\tdirectory = *\\n' > "$f"
GIT_CONFIG_GLOBAL="$f" git clone --progress --no-hardlinks -- "$1" "$2"
s=$?; rm -f "$f"; exit $s`;

export class ProvisionError extends Error {
  override name = 'ProvisionError';
}

export const workspaceSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('empty') }),
  z.object({ kind: z.literal('template'), template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'unknown template') }),
  z.object({
    kind: z.literal('git'),
    url: z.string().min(1).max(2048).refine(
      (u) => /^(https?|git):\/\/[^\s]+$/.test(u) || (u.startsWith('/') && !u.includes('\0')),
      'expected an http(s):// or git:// URL, or an absolute path to a git repository on the server',
    ),
  }),
]);

export async function listTemplates(): Promise<string[]> {
  const entries = await fs.readdir(TEMPLATES_DIR, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Every template, published read-only under the storage root: `<returned dir>/<template>/…`. */
export async function publishTemplates(root: string): Promise<string> {
  return publishReadOnly(root, 'templates', await filesUnder(TEMPLATES_DIR));
}

/** Recreates a template directory (trusted, read by the server) through a workspace's file service. */
async function copyTemplate(from: string, files: FileService, rel = ''): Promise<void> {
  for (const e of await fs.readdir(path.join(from, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      await files.createDir(child);
      await copyTemplate(from, files, child);
    } else if (e.isFile()) {
      await files.createFile(child, await fs.readFile(path.join(from, child)));
    }
  }
}

/**
 * Fills a workspace from a built-in template through its file service: for providers without a
 * local sandbox (kubernetes). The local provider copies with one sandboxed `cp` (provision()).
 */
export async function provisionTemplate(template: string, files: FileService, onProgress?: (message: string) => void): Promise<void> {
  if (!(await listTemplates()).includes(template)) throw new ProvisionError(`Unknown template: ${template}`);
  onProgress?.(`Copying template ${template}`);
  await copyTemplate(path.join(TEMPLATES_DIR, template), files);
}

/** A message people can act on, from git's stderr. */
export function describeCloneFailure(url: string, r: ExecResult): string {
  const err = r.stderr;
  if (r.timedOut) return `Cloning ${url} timed out`;
  if (/Could not resolve host|Failed to connect|Network is unreachable|Connection refused|Connection timed out/i.test(err)) {
    return `Cannot reach ${url}: no network access or the host is down`;
  }
  // The egress proxy's answer to an https clone: 404 the name does not resolve, 403 refused (a private address), 502 down.
  const proxy = /CONNECT tunnel failed, response (\d+)/i.exec(err);
  if (proxy) {
    return proxy[1] === '403'
      ? `Cannot reach ${url}: the network proxy refused it (a private or host address)`
      : `Cannot reach ${url}: no network access or the host is down`;
  }
  if (/not found|does not exist|does not appear to be a git repository|not a git repository|Authentication failed|could not read Username/i.test(err)) {
    return `Not a git repository, or not accessible: ${url}`;
  }
  const last = err.trim().split(/\r?\n|\r/).filter(Boolean).slice(-3).join(' / ');
  return `Cloning ${url} failed${last ? `: ${last}` : ''}`;
}

export async function provision(o: {
  source: WorkspaceSource; launcher: Launcher;
  /** publishTemplates' directory. */
  templatesDir: string;
  track: (kill: () => void) => () => void; onProgress?: (message: string) => void;
}): Promise<void> {
  const source = workspaceSourceSchema.safeParse(o.source);
  if (!source.success) throw new ProvisionError(`Invalid workspace source: ${source.error.issues[0]?.message}`);
  const s = source.data;
  if (s.kind === 'empty') return;

  if (s.kind === 'template') {
    if (!(await listTemplates()).includes(s.template)) throw new ProvisionError(`Unknown template: ${s.template}`);
    o.onProgress?.(`Copying template ${s.template}`);
    const bind = { source: path.join(o.templatesDir, s.template), target: TEMPLATE_MOUNT, readOnly: true };
    // No -p: the copies belong to the workspace uid, with the template's modes less the umask.
    const launch = o.launcher.launch({
      command: ['/bin/cp', '-R', '--', `${o.launcher.bindPath(bind)}/.`, o.launcher.workspacePath],
      interactive: false, network: false, extraBinds: [bind],
    });
    const r = await runProcess(launch.argv, { cwd: launch.cwd, env: launch.env, timeoutMs: TEMPLATE_COPY_TIMEOUT_MS, track: o.track });
    if (r.exitCode !== 0) throw new ProvisionError(`Copying template ${s.template} failed: ${(r.stderr || r.stdout).trim().slice(-500) || `exit ${r.exitCode}`}`);
    return;
  }

  const local = s.url.startsWith('/');
  if (local) {
    const st = await fs.stat(s.url).catch(() => null);
    if (!st?.isDirectory()) throw new ProvisionError(`No git repository at ${s.url} on the server`);
  }
  const bind = { source: s.url, target: SOURCE_MOUNT, readOnly: true };
  const from = local ? o.launcher.bindPath(bind) : s.url;
  o.onProgress?.(`Cloning ${s.url}`);
  const launch = o.launcher.launch({
    command: ['/bin/sh', '-c', CLONE_SCRIPT, 'clone', from, o.launcher.workspacePath],
    env: { GIT_ALLOW_PROTOCOL: GIT_PROTOCOLS, GIT_TERMINAL_PROMPT: '0' },
    interactive: false, network: !local, extraBinds: local ? [bind] : [],
  });
  const r = await runProcess(launch.argv, {
    cwd: launch.cwd, env: launch.env, timeoutMs: CLONE_TIMEOUT_MS, track: o.track, onStderr: cloneProgress(o.onProgress),
  });
  if (r.exitCode !== 0) throw new ProvisionError(describeCloneFailure(s.url, r));
  o.onProgress?.('Clone complete');
}

/** git clone's stderr as progress messages: git redraws its progress with \r, each redraw one message. */
export function cloneProgress(onProgress: ((message: string) => void) | undefined): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split(/\r\n|\r|\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onProgress?.(line.trim());
  };
}
