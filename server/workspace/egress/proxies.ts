// One egress proxy per open workspace, and the setup phase: while a workspace is provisioned from
// a git URL, its proxy lets through that URL's host only, without asking anyone (and logs it).
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../log.ts';
import { WorkspaceCa } from './ca.ts';
import { EgressProxy, type EgressAttempt, type EgressRequest, type EgressVerdict } from './proxy.ts';
import { EGRESS_SOCKET_NAME } from './relay.ts';

/** What decides and records a workspace's connections: the allowlist and approvals (sessions/egress.ts). */
export interface EgressPolicy {
  decide(workspaceId: string, r: EgressRequest, signal: AbortSignal): Promise<EgressVerdict>;
  /** A request inside a terminated tunnel that writes (`what` says how): the same approval as a high-risk agent call. */
  approveWrite(workspaceId: string, r: EgressRequest, what: string, signal: AbortSignal): Promise<EgressVerdict>;
  record(workspaceId: string, a: EgressAttempt): void;
  /** Headers added to the workspace's requests for `host` (secrets.headersFor); absent: none. */
  upstreamHeaders?(workspaceId: string, host: string): Promise<Record<string, string>>;
}

/**
 * A narrower identity inside a workspace (an agent run under a task profile): its processes get a
 * proxy socket of their own, so their connections are told apart from a person's terminal.
 * `narrow` is asked first; a verdict decides, null leaves it to the workspace's policy.
 */
export interface EgressScope {
  /** Same key, same socket: one per distinct scope (a profile's host list), not per process. Its directory holds
   *  its socket alone, so a person's terminal never reaches a scope's proxy, nor a scoped run the workspace's. */
  key: string;
  narrow(r: EgressRequest): EgressVerdict | null;
}

export interface EgressProxiesOptions {
  /** From egressSocketDir. */
  dir: string;
  /** Null: nothing leaves (tests and installations without a policy wired in). */
  policy: EgressPolicy | null;
  pinned?: ReadonlyMap<string, { host: string; port: number }>;
  decisionTimeoutMs: number;
  /** Hosts (allowlist entries) whose TLS is never terminated: pinned certificates, mTLS. Allowlist-only. */
  opaqueHosts?: readonly string[];
  /** Roots upstreams are verified against besides Node's bundled ones (an internal mirror's CA; tests). */
  upstreamCa?: string[];
  log: Logger;
}

/** How long an unlisted host waits for a person by default (the approval may expire sooner). */
export const DEFAULT_EGRESS_DECISION_TIMEOUT_MS = 5 * 60_000;
/** A Unix socket path must fit in sockaddr_un (108 bytes on Linux, with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Where the proxies' sockets live: `<storage root>/egress`, or — when that path would be too long
 * for a socket — a directory under the system temp dir named for the storage root, the same for
 * every server process on it (a surviving workspace host keeps the directory it was started with).
 * 0711 root: sandboxes (as their uid) reach their own socket by name; each socket is 0600 and
 * owned by its workspace uid, alone in its own 0711 root directory (digestDir), which is what a
 * sandbox binds.
 */
export async function egressSocketDir(storageRoot: string): Promise<string> {
  const dir = path.join(storageRoot, 'egress');
  if (path.join(dir, digestDir('x'), EGRESS_SOCKET_NAME).length <= MAX_SOCKET_PATH) {
    await fs.mkdir(dir, { recursive: true });
    await fs.chmod(dir, 0o711);
    return dir;
  }
  const short = path.join(os.tmpdir(), `tether-egress-${digest(storageRoot).slice(0, 12)}`);
  await fs.mkdir(short, { mode: 0o711 }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
  // The temp dir is shared: a directory someone else made there first is never used.
  const st = await fs.lstat(short);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) {
    throw new Error(`The egress socket directory ${short} exists but is not a private directory of this server; remove it and start again`);
  }
  await fs.chmod(short, 0o711);
  return short;
}

const digest = (s: string) => createHash('sha256').update(s).digest('hex');
const digestDir = (id: string) => digest(id).slice(0, 16);

export class EgressProxies {
  private readonly proxies = new Map<string, Promise<EgressProxy>>();
  private readonly setupHosts = new Map<string, string>();
  private readonly cas = new Map<string, Promise<WorkspaceCa>>();
  private policy: EgressPolicy | null;

  constructor(private readonly o: EgressProxiesOptions) {
    this.policy = o.policy;
  }

  setPolicy(policy: EgressPolicy): void {
    this.policy = policy;
  }

  /**
   * The workspace's CA (made once, key root-only under `<dir>/ca/`); the bundle its sandboxes
   * trust is `bundle()`.
   */
  ca(workspaceId: string): Promise<WorkspaceCa> {
    let ca = this.cas.get(workspaceId);
    if (!ca) {
      ca = WorkspaceCa.open(this.caDir(workspaceId), workspaceId);
      this.cas.set(workspaceId, ca);
      ca.catch(() => this.cas.delete(workspaceId));
    }
    return ca;
  }

  /**
   * Starts (once) the workspace's proxy — or, with a scope, the scope's own proxy, which asks the
   * scope before the workspace's policy — its socket owned by its uid; returns the host path of
   * the directory that holds the socket alone. The directory outlives the proxy (only destroy
   * removes it): sandboxes bind it, and one that outlives the server finds the next server's socket there.
   */
  async socketDirFor(workspaceId: string, uid: number, scope?: EgressScope): Promise<string> {
    const id = scope ? `${workspaceId}/${scope.key}` : workspaceId;
    const socketDir = this.socketDir(id);
    let proxy = this.proxies.get(id);
    if (!proxy) {
      proxy = this.ca(workspaceId).then(async (ca) => {
        await fs.mkdir(socketDir, { mode: 0o711 }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
        await fs.chmod(socketDir, 0o711);
        return ca;
      }).then((ca) => EgressProxy.listen({
        socketPath: path.join(socketDir, EGRESS_SOCKET_NAME), socketOwner: uid, decisionTimeoutMs: this.o.decisionTimeoutMs, pinned: this.o.pinned,
        tls: { ca, opaque: this.o.opaqueHosts ?? [], upstreamCa: this.o.upstreamCa },
        log: this.o.log.child({ workspace: workspaceId, part: 'egress', ...(scope ? { scope: scope.key } : {}) }),
        decide: (r, signal) => Promise.resolve(scope?.narrow(r) ?? this.decide(workspaceId, r, signal)),
        approveWrite: (r, what, signal) => this.approveWrite(workspaceId, r, what, signal),
        record: (a) => this.record(workspaceId, a),
        upstreamHeaders: (host) => this.policy?.upstreamHeaders?.(workspaceId, host) ?? Promise.resolve({}),
      }));
      this.proxies.set(id, proxy);
      proxy.catch(() => this.proxies.delete(id));
    }
    await proxy;
    return socketDir;
  }

  /** During `run`, the workspace may reach `host` (its clone URL's) and nothing else. */
  async setupPhase<T>(workspaceId: string, host: string, run: () => Promise<T>): Promise<T> {
    this.setupHosts.set(workspaceId, host);
    try {
      return await run();
    } finally {
      this.setupHosts.delete(workspaceId);
    }
  }

  /** Closes the workspace's proxy and its scopes' proxies. */
  async close(workspaceId: string): Promise<void> {
    await Promise.all([...this.proxies.keys()].filter((id) => id === workspaceId || id.startsWith(`${workspaceId}/`)).map((id) => this.closeProxy(id)));
  }

  /**
   * Closes the proxy and deletes the workspace's CA and its socket directories (its scopes' of
   * this server process): a workspace made again under this id gets a new CA.
   */
  async destroy(workspaceId: string): Promise<void> {
    const ids = [workspaceId, ...[...this.proxies.keys()].filter((id) => id.startsWith(`${workspaceId}/`))];
    await this.close(workspaceId);
    await Promise.all(ids.map((id) => fs.rm(this.socketDir(id), { recursive: true, force: true })));
    this.cas.delete(workspaceId);
    await fs.rm(this.caDir(workspaceId), { recursive: true, force: true });
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.proxies.keys()].map((id) => this.closeProxy(id)));
  }

  private async closeProxy(id: string): Promise<void> {
    const proxy = this.proxies.get(id);
    this.proxies.delete(id);
    await (await proxy?.catch(() => null))?.close();
  }

  private caDir(workspaceId: string): string {
    return path.join(this.o.dir, 'ca', digestDir(workspaceId));
  }

  private socketDir(id: string): string {
    return path.join(this.o.dir, digestDir(id));
  }

  private async decide(workspaceId: string, r: EgressRequest, signal: AbortSignal): Promise<EgressVerdict> {
    const setup = this.setupHosts.get(workspaceId);
    if (setup !== undefined) {
      return r.host === setup
        ? { allow: true, by: 'setup:clone', reason: `provisioning clones from ${setup}` }
        : { allow: false, by: 'setup:clone', reason: `while the workspace is provisioned only ${setup} (the clone URL) is reachable` };
    }
    if (!this.policy) return { allow: false, by: 'egress:no-policy', reason: 'no egress policy is configured, so nothing leaves the workspace' };
    return this.policy.decide(workspaceId, r, signal);
  }

  private async approveWrite(workspaceId: string, r: EgressRequest, what: string, signal: AbortSignal): Promise<EgressVerdict> {
    if (this.setupHosts.has(workspaceId)) return { allow: false, by: 'setup:clone', reason: `provisioning only reads; ${what} was refused` };
    if (!this.policy) return { allow: false, by: 'egress:no-policy', reason: `no egress policy is configured, so ${what} was refused` };
    return this.policy.approveWrite(workspaceId, r, what, signal);
  }

  private record(workspaceId: string, a: EgressAttempt): void {
    this.o.log.info({ workspace: workspaceId, host: a.host, port: a.port, method: a.method, path: a.path, allow: a.allow, by: a.by }, 'egress attempt');
    this.policy?.record(workspaceId, a);
  }
}
