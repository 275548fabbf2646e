// A stand-in Kubernetes API server for this folder's tests (not used by the server): real HTTP(S) on
// loopback, answering the calls the provider makes the way the API does (objects, 409 on a
// duplicate, 404 on a missing one, Status bodies), and the exec endpoint over WebSocket with the
// channel subprotocols. Exec'd commands run on this machine — the tests point the workspace path
// at a temporary directory — with a real pty for tty sessions, so sizes sent on the resize
// channel reach `stty`. Every request is recorded for the tests to check.
// Each command runs in a pid namespace of its own (`unshare --pid`), standing for the pod's: the
// provider's killAll sends SIGKILL to every process it may signal (`kill -1`), which on this
// machine, as root, would otherwise end every process of every user. Exec names a container of
// the pod; a claim mounted by another container of the pod but not by that one is hidden from
// the command (an empty tmpfs over it, in a mount namespace of its own), as a container sees only
// its own mounts.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import * as nodePty from 'node-pty';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest { method: string; path: string; authorization: string | undefined; body: unknown }
export interface RecordedExec {
  pod: string; container: string; command: string[]; tty: boolean; stdin: boolean; protocol: string;
  /** Sizes received on channel 4, in order. */
  resizes: { width: number; height: number }[];
}

const STDIN = 0, STDOUT = 1, STDERR = 2, STATUS = 3, RESIZE = 4, CLOSE = 255;
export const STUB_TOKEN = 'stub-token-for-tests';

const ROUTES: [RegExp, string][] = [
  [/^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/, 'pods'],
  [/^\/api\/v1\/namespaces\/([^/]+)\/persistentvolumeclaims(?:\/([^/]+))?$/, 'persistentvolumeclaims'],
  [/^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/networkpolicies(?:\/([^/]+))?$/, 'networkpolicies'],
];

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export interface StubOptions {
  /** Exec subprotocols this server accepts, in its order of preference. */
  protocols?: string[];
  /** What a pod's status reads as on each GET after it is created (waiting: that of `container`, default workspace); the last one repeats. */
  podPhases?: { phase: string; waiting?: string; container?: string }[];
  /** Serve HTTPS with this key and certificate, as API servers do. */
  tls?: { key: string; cert: string };
}

export async function startStubApiServer(o: StubOptions = {}) {
  const requests: RecordedRequest[] = [];
  const execs: RecordedExec[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  const podReads = new Map<string, number>();
  const phases = o.podPhases ?? [{ phase: 'Pending', waiting: 'ContainerCreating' }, { phase: 'Running' }];
  let version = 1;

  const handler: http.RequestListener = (req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString('utf8'); });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({ method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization, body });
      const send = (code: number, value: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `Bearer ${STUB_TOKEN}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      const route = ROUTES.map(([re, kind]) => ({ m: re.exec(url.pathname), kind })).find((r) => r.m);
      if (!route?.m) return send(404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
      const [, namespace, pathName] = route.m;
      const key = (name: string) => `${route.kind}/${namespace}/${name}`;
      if (req.method === 'POST' && !pathName) {
        const name = (body as { metadata: { name: string } }).metadata.name;
        if (objects.has(key(name))) return send(409, status(409, 'AlreadyExists', `${route.kind} "${name}" already exists`));
        const stored = { ...body, metadata: { ...body.metadata, namespace, resourceVersion: String(version++) } };
        objects.set(key(name), stored);
        return send(201, stored);
      }
      const existing = pathName ? objects.get(key(pathName)) : undefined;
      if (!existing) return send(404, status(404, 'NotFound', `${route.kind} "${pathName}" not found`));
      if (req.method === 'GET') {
        if (route.kind !== 'pods') return send(200, existing);
        const n = podReads.get(pathName!) ?? 0;
        podReads.set(pathName!, n + 1);
        const p = phases[Math.min(n, phases.length - 1)]!;
        return send(200, {
          ...existing,
          status: { phase: p.phase, containerStatuses: p.waiting ? [{ name: p.container ?? 'workspace', state: { waiting: { reason: p.waiting, message: `stub: ${p.waiting}` } } }] : [] },
        });
      }
      if (req.method === 'PUT') {
        const meta = (existing as { metadata: { resourceVersion: string } }).metadata;
        if (body?.metadata?.resourceVersion !== meta.resourceVersion) return send(409, status(409, 'Conflict', 'the object has been modified'));
        const stored = { ...body, metadata: { ...body.metadata, namespace, resourceVersion: String(version++) } };
        objects.set(key(pathName!), stored);
        return send(200, stored);
      }
      if (req.method === 'DELETE') {
        objects.delete(key(pathName!));
        return send(200, existing);
      }
      send(405, status(405, 'MethodNotAllowed', `${req.method} is not allowed`));
    });
  };
  const server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler);

  const accepted = o.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => accepted.find((p) => offered.has(p)) ?? false,
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    requests.push({ method: 'GET (upgrade)', path: url.pathname, authorization: req.headers.authorization, body: undefined });
    const pod = m ? objects.get(`pods/${m[1]}/${m[2]}`) as StoredPod | undefined : undefined;
    if (!m || req.headers.authorization !== `Bearer ${STUB_TOKEN}` || !pod) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const q = url.searchParams;
    const container = pod.spec.containers.find((c) => c.name === q.get('container'));
    if (!container) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const rec: RecordedExec = {
        pod: m[2]!, container: q.get('container') ?? '', command: q.getAll('command'), tty: q.get('tty') === 'true',
        stdin: q.get('stdin') === 'true', protocol: ws.protocol, resizes: [],
      };
      execs.push(rec);
      runExec(ws, rec, hiddenClaims(pod, container));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, requests, execs, objects,
    /** Points a client at this server with the token it expects, trusting `caPem` for HTTPS. */
    configure(kc: KubeConfig, caPem?: string) {
      kc.loadFromOptions({
        // The client refuses plain HTTP unless told to skip TLS verification: only the HTTP stub is.
        clusters: [{ name: 'stub', server: url, skipTLSVerify: !o.tls, ...(caPem ? { caData: Buffer.from(caPem).toString('base64') } : {}) }],
        users: [{ name: 'tether', token: STUB_TOKEN }],
        contexts: [{ name: 'stub', cluster: 'stub', user: 'tether' }],
        currentContext: 'stub',
      });
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function finish(ws: WebSocket, exitCode: number | null, signal: string | null) {
  const s = exitCode === 0
    ? { metadata: {}, status: 'Success' }
    : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${exitCode ?? signal}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode ?? 137) }] } };
  ws.send(Buffer.concat([Buffer.from([STATUS]), Buffer.from(JSON.stringify(s))]), () => ws.close());
}

const frame = (channel: number, data: Buffer | string) => Buffer.concat([Buffer.from([channel]), Buffer.from(data)]);

interface StoredContainer { name: string; volumeMounts?: { name: string; mountPath: string }[] }
interface StoredPod { spec: { containers: StoredContainer[]; volumes?: { name: string; persistentVolumeClaim?: unknown }[] } }

/** Where the pod's other containers mount claims that this one does not mount. */
function hiddenClaims(pod: StoredPod, container: StoredContainer): string[] {
  const claims = new Set((pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.name));
  const own = new Set((container.volumeMounts ?? []).map((m) => m.mountPath));
  const elsewhere = pod.spec.containers.flatMap((c) => c.volumeMounts ?? []).filter((m) => claims.has(m.name) && !own.has(m.mountPath));
  return [...new Set(elsewhere.map((m) => m.mountPath))];
}

/** The pod's pid namespace: `kill -1` inside reaches only what this command started. */
const OWN_PID_NAMESPACE = ['unshare', '--pid', '--fork', '--kill-child'];
/** $@: the paths to hide, `--`, the command. */
const HIDE = 'for p; do shift; [ "$p" = -- ] && break; mount -t tmpfs -o size=1m tether-hidden "$p" || exit 126; done; exec "$@"';

function runExec(ws: WebSocket, rec: RecordedExec, hidden: string[]) {
  const namespaces = hidden.length > 0 ? [...OWN_PID_NAMESPACE, '--mount', '--', '/bin/sh', '-c', HIDE, 'hide', ...hidden, '--'] : [...OWN_PID_NAMESPACE, '--'];
  const [file, ...args] = [...namespaces, ...rec.command];
  if (rec.tty) {
    const pty = nodePty.spawn(file!, args, { cols: 80, rows: 24, env: process.env as Record<string, string> });
    pty.onData((d) => ws.send(frame(STDOUT, d)));
    pty.onExit(({ exitCode, signal }) => finish(ws, signal ? null : exitCode, signal ? String(signal) : null));
    ws.on('message', (data: Buffer) => {
      if (data[0] === STDIN) pty.write(data.subarray(1).toString('utf8'));
      else if (data[0] === RESIZE) {
        const size = JSON.parse(data.subarray(1).toString('utf8')) as { width: number; height: number };
        rec.resizes.push(size);
        pty.resize(size.width, size.height);
      }
    });
    ws.on('close', () => { try { pty.kill(); } catch { /* exited */ } });
    return;
  }
  const child = spawn(file!, args, { stdio: [rec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => ws.send(frame(STDOUT, d)));
  child.stderr!.on('data', (d: Buffer) => ws.send(frame(STDERR, d)));
  child.stdin?.on('error', () => { /* the command may exit without reading its input */ });
  ws.on('message', (data: Buffer) => {
    if (data[0] === STDIN) child.stdin?.write(data.subarray(1));
    else if (data[0] === CLOSE && data[1] === STDIN) child.stdin?.end();
  });
  ws.on('close', () => child.kill('SIGKILL'));
  child.on('error', (e) => { ws.send(frame(STDERR, `${e.message}\n`)); finish(ws, null, null); });
  child.on('close', (code, signal) => finish(ws, code, signal));
}
