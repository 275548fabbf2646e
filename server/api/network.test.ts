import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

describe('workspace network access', () => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let listener: Server;
  let port: number;
  let sessionId: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ admin, member } = await setupAdminAndMember(app));
    listener = createServer((s) => s.end('hello-from-host\n'));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    port = (listener.address() as { port: number }).port;
    sessionId = (await createProvisionedSession(member)).id;
  });
  afterAll(async () => { listener?.close(); await app?.close(); });

  const connect = async () => {
    const row = (await app.services.db.session.findUniqueOrThrow({ where: { id: sessionId }, include: { workspace: true } })).workspace!;
    const workspace = await app.services.workspaces.get(row);
    return workspace.exec(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`], { timeoutMs: 10_000 });
  };

  it('is off by default: a process cannot reach a port on the host', async () => {
    const r = await connect();
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).not.toContain('hello-from-host');
  });

  it('only an admin can allow it; new processes then reach the network, and it can be turned off again', async () => {
    expect((await member.mutate('sessions.setNetwork', { id: sessionId, allowed: true })).error?.code).toBe('FORBIDDEN');
    expect((await admin.mutate('sessions.setNetwork', { id: sessionId, allowed: true })).error).toBeNull();
    const open = await connect();
    expect(open.stdout).toContain('hello-from-host');
    await admin.mutate('sessions.setNetwork', { id: sessionId, allowed: false });
    expect((await connect()).stdout).not.toContain('hello-from-host');
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; payload: { allowed?: boolean } }[];
    expect(events.filter((e) => e.type === 'workspace.network').map((e) => e.payload.allowed)).toEqual([true, false]);
  });
});
