// A real Tether HTTP server (API + sockets, no Next build) on a free loopback port.
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../server/config.ts';
import { createHttpServer } from '../../server/http.ts';
import { log } from '../../server/log.ts';
import { localCluster, redisCluster } from '../../server/scale/cluster.ts';
import { createServices, egressOptions, type Services } from '../../server/services.ts';
import { createLocalProvider, type LocalProvider } from '../../server/workspace/local-provider.ts';
import { createTestDb, type TestDb } from './db.ts';

export interface TestApp {
  url: string;
  services: Services;
  provider: LocalProvider;
  testDb: TestDb;
  api: ApiClient;
  /** The Socket.IO server: tests read which events each namespace handles. */
  io: ReturnType<typeof createHttpServer>['io'];
  close(): Promise<void>;
  /** Stops this instance's heartbeat, as a crash would: after three missed heartbeats others may take its workspaces. */
  stopHeartbeat(): Promise<void>;
}

/**
 * shared: run as one of several instances — over another app's database and data dir (their
 * owner cleans them up) and, with REDIS_URL in env, sharing events, sockets and leases through Redis.
 */
export async function startTestApp(provider: 'sqlite' | 'postgres', env: Record<string, string> = {}, shared?: { testDb: TestDb; dataDir?: string }): Promise<TestApp> {
  const testDb = shared?.testDb ?? await createTestDb(provider);
  const dataDir = shared?.dataDir ?? mkdtempSync(path.join(tmpdir(), 'tether-test-data-'));
  const config = parseConfig({ TETHER_DATA_DIR: dataDir, PORT: '0', TETHER_LOG_LEVEL: 'silent', ...env });
  const workspaces = await createLocalProvider({
    dataDir, workspacesDir: config.TETHER_WORKSPACES_DIR, diskQuotaBytes: config.TETHER_WORKSPACE_DISK_BYTES,
    unsafeNoSandbox: false, limits: config.sandboxLimits, log, egress: egressOptions(config),
  });
  const cluster = config.REDIS_URL ? await redisCluster(config.REDIS_URL, log, config.TETHER_INSTANCE_ID, config.TETHER_REDIS_PREFIX) : localCluster(log);
  const services = createServices(config, log, testDb.db, workspaces, cluster);
  const { server, io } = createHttpServer(services, async (_req, res) => { res.statusCode = 404; res.end('no pages in API tests'); });
  await new Promise<void>((resolve) => server.listen(config.PORT, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopHeartbeat = await services.ownership.start();
  return {
    url, services, testDb, api: new ApiClient(url), provider: workspaces, io,
    async stopHeartbeat() {
      await stopHeartbeat();
      stopHeartbeat = async () => {};
      await testDb.db.serverInstance.updateMany({ where: { id: cluster.instanceId }, data: { heartbeatAt: new Date(0) } });
    },
    async close() {
      await stopHeartbeat();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // A test may end while a session it created is still provisioning: its disk is not ours to pull yet.
      await services.workspaces.settled();
      await workspaces.shutdown();
      // destroy, not just rm: it unmounts each workspace's disk image.
      for (const id of await workspaces.ids()) await workspaces.destroy(id);
      await cluster.close();
      if (!shared) await testDb.cleanup();
      if (!shared?.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResult { status: number; data: unknown; error: { message: string; code: string } | null; setCookie: string[] }

/** Speaks tRPC's HTTP wire format (superjson envelope), with an optional session cookie. */
export class ApiClient {
  constructor(readonly url: string, readonly cookie?: string) {}

  as(cookie: string | undefined) { return new ApiClient(this.url, cookie); }

  query(procedure: string, input?: unknown) {
    const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    return this.send('GET', `${procedure}${q}`);
  }

  mutate(procedure: string, input?: unknown) {
    return this.send('POST', procedure, JSON.stringify({ json: input ?? null }));
  }

  private async send(method: string, pathAndQuery: string, body?: string): Promise<ApiResult> {
    const res = await fetch(`${this.url}/api/trpc/${pathAndQuery}`, {
      method, body,
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
    });
    const json = (await res.json()) as { result?: { data: { json: unknown } }; error?: { json: { message: string; data: { code: string } } } };
    return {
      status: res.status,
      data: json.result?.data.json,
      error: json.error ? { message: json.error.json.message, code: json.error.json.data.code } : null,
      setCookie: res.headers.getSetCookie(),
    };
  }
}

/** The `name=value` part of a Set-Cookie, ready for a Cookie header. */
export const cookieFrom = (r: ApiResult) => r.setCookie[0]?.split(';')[0];

export async function setupAdminAndMember(app: TestApp) {
  const setup = await app.api.mutate('auth.setup', { email: 'admin@example.test', name: 'Ada Admin', password: 'correct horse battery' });
  const adminCookie = cookieFrom(setup);
  if (!adminCookie) throw new Error(`setup failed: ${JSON.stringify(setup.error)}`);
  const admin = app.api.as(adminCookie);
  const created = await admin.mutate('admin.createUser', { email: 'member@example.test', name: 'Max Member', password: 'member password 1', role: 'member' });
  if (created.error) throw new Error(created.error.message);
  const login = await app.api.mutate('auth.login', { email: 'member@example.test', password: 'member password 1' });
  const memberCookie = cookieFrom(login);
  if (!memberCookie) throw new Error('member login failed');
  return { admin, member: app.api.as(memberCookie), adminCookie, memberCookie };
}

export interface ProvisionedSession { id: string; workspace: { id: string; status: string; error: string | null; uid: number } }

/** Creates a session and waits until its workspace has been provisioned (ready or failed). */
export async function createProvisionedSession(api: ApiClient, source: unknown = { kind: 'empty' }, title = 'test session'): Promise<ProvisionedSession> {
  const created = await api.mutate('sessions.create', { title, source });
  if (created.error) throw new Error(created.error.message);
  const id = (created.data as { id: string }).id;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const session = (await api.query('sessions.get', { id })).data as ProvisionedSession;
    if (session.workspace.status !== 'provisioning') return session;
    if (Date.now() > deadline) throw new Error('workspace still provisioning after 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}
