// One workspace's only way out: a proxy on a Unix socket that is bind-mounted into the workspace's
// sandboxes (which have no network of their own). It takes HTTP CONNECT tunnels (HTTPS, anything
// TLS), absolute-form plain HTTP requests and SOCKS5 CONNECTs (told apart by the first byte),
// and for each one:
//   1. refuses an IP literal on the host or a private network at once (no person is asked);
//   2. resolves the name and refuses it if any address is blocked, then connects to an address
//      it checked — never re-resolving, so DNS rebinding cannot swap in 127.0.0.1 afterwards;
//   3. asks `decide` (allowlist, then a person), which may wait; a throw denies;
//   4. records every attempt, allowed or not.
// A refusal is an HTTP 403 whose body says why, so a tool can tell a policy block from a failure.
// With a workspace CA, an allowed tunnel (CONNECT or SOCKS5) that starts a TLS handshake is
// terminated: the client gets a leaf for the host signed by that CA, and each HTTP/1.1 request
// inside is re-sent over TLS to the checked address (the upstream's certificate verified as usual).
// A tunnel carrying plain HTTP is read request by request the same way. A request that writes
// (writes.ts), in a tunnel or proxied plainly, waits for `approveWrite` first. Hosts listed as
// opaque (pinned certificates, mTLS) and tunnels that start with neither TLS nor an HTTP request
// are joined byte for byte.
import { lookup } from 'node:dns/promises';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from '../../log.ts';
import { blockedAddresses, isBlocked } from './addresses.ts';
import type { WorkspaceCa } from './ca.ts';
import { allowlistMatches, destinationHostSchema } from './hosts.ts';
import { readSocksRequest, replySocks, SOCKS_VERSION, SocksReply } from './socks.ts';
import { classifyWrite } from './writes.ts';

export interface EgressRequest {
  host: string;
  port: number;
  /** CONNECT for a tunnel, SOCKS for a SOCKS5 connect; the HTTP method of a plain request. */
  method: string;
  /** The request path of a plain HTTP request; null inside a tunnel (not seen). */
  path: string | null;
}

export interface EgressVerdict {
  allow: boolean;
  /** What decided: "allowlist:<entry>", "egress:address", a user id, "timeout" … */
  by: string;
  reason: string;
}

export interface EgressAttempt extends EgressRequest, EgressVerdict {
  /** The address connected to (or refused), when resolution got that far. */
  address: string | null;
}

export interface EgressProxyOptions {
  socketPath: string;
  /** Owner of the socket: the workspace uid, the only one that may connect. */
  socketOwner: number | null;
  /** The allowlist, then a person. Rejecting denies. The signal aborts when the client gives up or waited too long. */
  decide(r: EgressRequest, signal: AbortSignal): Promise<EgressVerdict>;
  /** Every attempt, allowed or not. */
  record(a: EgressAttempt): void;
  /**
   * Operator-pinned upstreams by "host:port" (an internal mirror, a test server): reached at that
   * address even when it is private. Still subject to `decide`.
   */
  pinned?: ReadonlyMap<string, { host: string; port: number }>;
  /** Headers added to requests for a host, plain or inside a terminated tunnel: where per-workspace secrets are injected. */
  upstreamHeaders?(host: string): Promise<Record<string, string>>;
  /** How long a connection waits for `decide` (a person) before it is refused. */
  decisionTimeoutMs: number;
  /** Absent: tunnels are never terminated. */
  tls?: EgressTls;
  /** A person's answer to a request that writes to an allowed host. Rejecting denies. */
  approveWrite(r: EgressRequest, what: string, signal: AbortSignal): Promise<EgressVerdict>;
  log: Logger;
}

export interface EgressTls {
  ca: WorkspaceCa;
  /** Allowlist-style entries whose tunnels are never terminated (certificate pinning, mTLS). */
  opaque: readonly string[];
  /** Roots upstreams are verified against besides Node's bundled ones. */
  upstreamCa?: string[];
}

/** A tunnel the proxy reads request by request. */
interface Terminated {
  request: EgressRequest; address: string; port: number; secure: boolean;
  /** A person's yes to a git push on this connection, which covers its other request. */
  push?: EgressVerdict;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** The first byte of a TLS handshake record. */
const TLS_HANDSHAKE = 0x16;
/** The start of an HTTP/1.x request line: a method token and a space. */
const HTTP_REQUEST_START = /^[A-Z]{3,10} \S/;
/** Proxy-only headers never forwarded upstream. */
const HOP_HEADERS = new Set(['proxy-connection', 'proxy-authorization', 'connection', 'keep-alive']);

type Route = { ok: true; address: string; port: number; verdict: EgressVerdict } | { ok: false; status: number; address: string | null; verdict: EgressVerdict };

export class EgressProxy {
  private readonly blocked = blockedAddresses();
  private readonly sockets = new Set<Duplex>();

  private readonly http: http.Server;
  /** Requests from inside terminated tunnels; each TLS socket maps to the CONNECT it came from. */
  private readonly inner: http.Server;
  private readonly terminated = new WeakMap<object, Terminated>();
  private readonly upstreamAgent: https.Agent;

  private constructor(private readonly o: EgressProxyOptions, private readonly server: net.Server) {
    // A request held for a person's answer has not finished arriving: Node's default 300 s
    // request timeout would answer 408 before a slower approval does.
    const options: http.ServerOptions = { requestTimeout: o.decisionTimeoutMs + CONNECT_TIMEOUT_MS };
    this.http = http.createServer(options);
    this.inner = http.createServer(options);
    this.http.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.tunnel(req, socket, head));
    this.http.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.forward(req, res));
    this.inner.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.forwardInner(req, res));
    // `ca` replaces the roots, so extra ones are added to Node's own.
    this.upstreamAgent = new https.Agent({ keepAlive: true, ca: o.tls?.upstreamCa && [...tls.rootCertificates, ...o.tls.upstreamCa] });
  }

  static async listen(o: EgressProxyOptions): Promise<EgressProxy> {
    const server = net.createServer();
    const proxy = new EgressProxy(o, server);
    server.on('connection', (s: net.Socket) => proxy.accept(s));
    await fs.rm(o.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(o.socketPath, resolve); });
    await fs.chmod(o.socketPath, 0o600);
    if (o.socketOwner !== null) await fs.chown(o.socketPath, o.socketOwner, o.socketOwner);
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.upstreamAgent.destroy();
    this.inner.close();
    this.http.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await fs.rm(this.o.socketPath, { force: true });
  }

  /** SOCKS5 starts with its version byte; an HTTP request line never does. */
  private accept(s: net.Socket): void {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    s.once('data', (first: Buffer) => {
      s.pause();
      if (first[0] === SOCKS_VERSION) return this.socks(s, first);
      s.unshift(first);
      this.http.emit('connection', s);
      s.resume();
    });
  }

  private socks(client: net.Socket, first: Buffer): void {
    void readSocksRequest(client, first).then(async (target) => {
      if (!target) return;
      const host = destinationHostSchema.safeParse(target.host);
      if (!host.success) return replySocks(client, SocksReply.addressNotSupported);
      const request: EgressRequest = { host: host.data, port: target.port, method: 'SOCKS', path: null };
      const route = await this.route(request, client);
      this.record(request, route.verdict, route.address);
      if (!route.ok) return replySocks(client, route.status === 404 ? SocksReply.hostUnreachable : SocksReply.notAllowed);
      const answer = () => replySocks(client, SocksReply.succeeded);
      const ca = this.caFor(request);
      if (ca) return this.terminate(client, route, request, Buffer.alloc(0), ca, answer);
      this.splice(client, route, request, Buffer.alloc(0), answer, () => replySocks(client, SocksReply.refused));
      client.resume();
    }).catch((err: unknown) => {
      this.o.log.error({ err }, 'egress SOCKS connection failed');
      client.destroy();
    });
  }

  private tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): void {
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    if (!target) return refuseRaw(client, 400, `Tether egress: "${req.url}" is not host:port`);
    const request: EgressRequest = { ...target, method: 'CONNECT', path: null };
    void this.route(request, client).then((route) => {
      this.record(request, route.verdict, route.address);
      if (!route.ok) return refuseRaw(client, route.status, route.verdict.reason);
      const ca = this.caFor(request);
      if (ca) return this.terminate(client, route, request, head, ca, () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'));
      this.splice(client, route, request, head,
        () => client.write('HTTP/1.1 200 Connection Established\r\n\r\n'),
        (err) => refuseRaw(client, 502, `Tether egress: cannot reach ${request.host}:${request.port}: ${err.message}`));
    }, (err: unknown) => {
      this.o.log.error({ err, host: request.host }, 'egress tunnel failed');
      refuseRaw(client, 500, 'Tether egress: the proxy failed; the connection was refused');
    });
  }

  /** Connects to the checked address and joins the two sockets; `failed` answers a connect that never happened. */
  private splice(client: Duplex, route: Route & { ok: true }, request: EgressRequest, head: Buffer, connected: () => void, failed: (err: Error) => void): void {
    const upstream = net.connect({ host: route.address, port: route.port, timeout: CONNECT_TIMEOUT_MS });
    let joined = false;
    upstream.once('timeout', () => upstream.destroy(new Error('connect timed out')));
    upstream.once('connect', () => {
      joined = true;
      upstream.setTimeout(0);
      connected();
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', (err) => {
      this.o.log.info({ host: request.host, port: request.port, err: err.message }, 'egress upstream failed');
      if (joined) client.destroy();
      else failed(err);
    });
    client.on('close', () => upstream.destroy());
  }

  /** The CA to terminate a tunnel to `r.host` with; null: join it as is (no CA, or an opaque host). */
  private caFor(r: EgressRequest): WorkspaceCa | null {
    return this.o.tls && !allowlistMatches(this.o.tls.opaque, r.host) ? this.o.tls.ca : null;
  }

  /**
   * Answers the tunnel (CONNECT or SOCKS5), then reads its first bytes: TLS is terminated, plain
   * HTTP is read request by request the same way, anything else is joined as is.
   */
  private terminate(client: Duplex, route: Route & { ok: true }, request: EgressRequest, head: Buffer, ca: WorkspaceCa, answer: () => void): void {
    answer();
    const start = (first: Buffer) => {
      if (HTTP_REQUEST_START.test(first.subarray(0, 16).toString('latin1'))) {
        const plain = replayed(client, first);
        this.terminated.set(plain, { request, address: route.address, port: route.port, secure: false });
        return void this.inner.emit('connection', plain);
      }
      if (first[0] !== TLS_HANDSHAKE) return this.splice(client, route, request, first, () => {}, () => client.destroy());
      client.pause();
      ca.contextFor(request.host).then((secureContext) => {
        const secure = new tls.TLSSocket(replayed(client, first), { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
        this.terminated.set(secure, { request, address: route.address, port: route.port, secure: true });
        secure.on('error', (err) => { this.o.log.info({ host: request.host, err: err.message }, 'egress TLS from the workspace failed'); secure.destroy(); client.destroy(); });
        this.inner.emit('connection', secure);
      }, (err: unknown) => {
        this.o.log.error({ err, host: request.host }, 'egress could not make a certificate; the tunnel was closed');
        client.destroy();
      });
    };
    if (head.length) return start(head);
    client.once('data', start);
    client.resume();
  }

  /** One request from inside a terminated tunnel: a write waits for a person; then it goes upstream (over verified TLS if it came so). */
  private forwardInner(req: http.IncomingMessage, res: http.ServerResponse): void {
    const t = this.terminated.get(req.socket);
    if (!t) return refuse(res, 500, 'Tether egress: the proxy lost track of this tunnel');
    const path = req.url ?? '/';
    const request: EgressRequest = { host: t.request.host, port: t.request.port, method: req.method ?? 'GET', path };
    void this.gateWrite(request, req.socket, t.address, t).then(async (write) => {
      if (write && !write.allow) return refuse(res, 403, `Tether egress: ${write.reason}`);
      const headers = await this.upstreamHeadersFor(request.host, req, request.port === (t.secure ? 443 : 80) ? request.host : `${request.host}:${request.port}`);
      const target = { host: t.address, port: t.port, method: request.method, path, headers, timeout: CONNECT_TIMEOUT_MS };
      const upstream = t.secure
        ? https.request({ ...target, servername: net.isIP(request.host) ? undefined : request.host, agent: this.upstreamAgent })
        : http.request(target);
      this.pipeUpstream(req, res, request, upstream);
    }).catch((err: unknown) => {
      this.o.log.error({ err, host: request.host }, 'egress request failed');
      refuse(res, 500, 'Tether egress: the proxy failed; the request was refused');
    });
  }

  /** A request that writes waits for a person, and is recorded either way; null: it only reads. */
  private async gateWrite(request: EgressRequest, client: Duplex, address: string, tunnel?: Terminated): Promise<EgressVerdict | null> {
    const write = classifyWrite(request.method, request.host, request.path ?? '/');
    if (write === null) return null;
    const verdict = (write.push ? tunnel?.push : undefined) ?? await this.decided(request, client, (r, signal) => this.o.approveWrite(r, write.what, signal));
    if (write.push && verdict.allow && tunnel) tunnel.push = verdict;
    this.record(request, verdict, address);
    return verdict;
  }

  /** The client's headers without the proxy's own; an injected header replaces the client's of that name. */
  private async upstreamHeadersFor(host: string, req: http.IncomingMessage, authority: string): Promise<http.OutgoingHttpHeaders> {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(await this.o.upstreamHeaders?.(host) ?? {})) headers[k.toLowerCase()] = v;
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_HEADERS.has(k) && !(k in headers)) headers[k] = v;
    headers.host = authority;
    return headers;
  }

  private pipeUpstream(req: http.IncomingMessage, res: http.ServerResponse, request: EgressRequest, upstream: http.ClientRequest): void {
    upstream.on('response', (r) => {
      upstream.setTimeout(0);
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.on('error', (err) => {
      this.o.log.info({ host: request.host, port: request.port, err: err.message }, 'egress upstream failed');
      if (!res.headersSent) refuse(res, 502, `Tether egress: cannot reach ${request.host}:${request.port}: ${err.message}`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:') throw new Error('not http');
    } catch {
      return refuse(res, 400, 'Tether egress: send an absolute http:// URL (a proxy request) or use CONNECT');
    }
    const host = destinationHostSchema.safeParse(url.hostname);
    if (!host.success) return refuse(res, 400, `Tether egress: "${url.hostname}" is not a host name`);
    const request: EgressRequest = { host: host.data, port: Number(url.port || 80), method: req.method ?? 'GET', path: url.pathname + url.search };
    void this.route(request, req.socket).then(async (route) => {
      this.record(request, route.verdict, route.address);
      if (!route.ok) return refuse(res, route.status, route.verdict.reason);
      const write = await this.gateWrite(request, req.socket, route.address);
      if (write && !write.allow) return refuse(res, 403, `Tether egress: ${write.reason}`);
      const headers = await this.upstreamHeadersFor(request.host, req, url.host);
      this.pipeUpstream(req, res, request, http.request({ host: route.address, port: route.port, method: request.method, path: request.path ?? '/', headers, timeout: CONNECT_TIMEOUT_MS }));
    }).catch((err: unknown) => {
      this.o.log.error({ err, host: request.host }, 'egress request failed');
      refuse(res, 500, 'Tether egress: the proxy failed; the request was refused');
    });
  }

  private async route(r: EgressRequest, client: Duplex): Promise<Route> {
    const pinned = this.o.pinned?.get(`${r.host}:${r.port}`);
    let address: string | null = pinned?.host ?? null;
    if (!pinned) {
      const resolved = net.isIP(r.host) ? [r.host] : await resolveAll(r.host);
      if (!resolved) return denied(404, null, 'egress:dns', `Tether egress: ${r.host} does not resolve`);
      const bad = resolved.find((a) => isBlocked(this.blocked, a));
      if (bad !== undefined) {
        return denied(403, bad, 'egress:address', `Tether egress: ${r.host} is ${bad === r.host ? '' : `${bad}, `}an address on this host or a private network; workspaces can never reach it`);
      }
      address = resolved[0]!;
    }
    const verdict = await this.decided(r, client);
    if (!verdict.allow) return { ok: false, status: 403, address, verdict: { ...verdict, reason: `Tether egress: ${verdict.reason}` } };
    return { ok: true, address: address!, port: pinned?.port ?? r.port, verdict };
  }

  /** Waits for `decide`, bounded, and gives up when the client does; a rejection denies. */
  private async decided(r: EgressRequest, client: Duplex, decide = this.o.decide): Promise<EgressVerdict> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.o.decisionTimeoutMs);
    const gone = () => controller.abort();
    client.once('close', gone);
    try {
      return await decide(r, controller.signal);
    } catch (err) {
      this.o.log.error({ err, host: r.host }, 'egress decision failed: denied');
      return { allow: false, by: 'egress:error', reason: `the decision about ${r.host} failed, so it was denied` };
    } finally {
      clearTimeout(timer);
      client.off('close', gone);
    }
  }

  private record(r: EgressRequest, verdict: EgressVerdict, address: string | null): void {
    try {
      this.o.record({ ...r, ...verdict, address });
    } catch (err) {
      this.o.log.error({ err, host: r.host }, 'could not record an egress attempt');
    }
  }
}

/** The client socket as a plain stream that yields `first` again: a TLS socket reads from it like from the client. */
function replayed(client: Duplex, first: Buffer): Duplex {
  const d = new Duplex({
    read() { client.resume(); },
    write(chunk: Buffer, _enc, cb) { client.write(chunk, cb); },
    final(cb) { client.end(); cb(); },
    destroy(err, cb) { client.destroy(); cb(err); },
  });
  d.push(first);
  client.on('data', (c: Buffer) => { if (!d.push(c)) client.pause(); });
  client.on('end', () => d.push(null));
  client.on('close', () => d.destroy());
  return d;
}

function denied(status: number, address: string | null, by: string, reason: string): Route {
  return { ok: false, status, address, verdict: { allow: false, by, reason } };
}

async function resolveAll(host: string): Promise<string[] | null> {
  try {
    const all = await lookup(host, { all: true, verbatim: true });
    return all.length ? all.map((a) => a.address) : null;
  } catch {
    return null;
  }
}

/** "host:port" or "[v6]:port" of a CONNECT line. */
function parseAuthority(s: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(s);
  if (!m) return null;
  const host = destinationHostSchema.safeParse(m[1]);
  const port = Number(m[2]);
  return host.success && port >= 1 && port <= 65535 ? { host: host.data, port } : null;
}

function refuse(res: http.ServerResponse, status: number, reason: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-tether-egress': 'refused', connection: 'close' });
  res.end(`${reason}\n`);
}

function refuseRaw(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) return void socket.destroy();
  const body = `${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Refused'}\r\ncontent-type: text/plain; charset=utf-8\r\nx-tether-egress: refused\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
