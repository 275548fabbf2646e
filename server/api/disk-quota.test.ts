// The disk quota as the IDE sees it: a write through the file API past the quota fails in words,
// and the session is told (an event the page shows as a banner) when the disk fills and frees up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

const MiB = 1024 * 1024;

describe('workspace disk quota through the API', () => {
  let app: TestApp;
  let member: ApiClient;
  beforeAll(async () => {
    app = await startTestApp('sqlite', { TETHER_WORKSPACE_DISK_BYTES: String(32 * MiB), TETHER_SANDBOX_FILE_SIZE_BYTES: String(256 * MiB) });
    ({ member } = await setupAdminAndMember(app));
  });
  afterAll(async () => { await app?.close(); });

  it('refuses a file write past the quota with a clear message and reports the full disk to the session', async () => {
    const session = await createProvisionedSession(member);
    expect(session.workspace.status).toBe('ready');
    const row = (await app.services.db.workspace.findUniqueOrThrow({ where: { id: session.workspace.id } }));
    const ws = await app.services.workspaces.get(row);
    const filled = await ws.exec('head -c 100M /dev/zero > big');
    expect(filled.stderr).toMatch(/No space left on device/);

    const write = await member.mutate('files.write', { sessionId: session.id, path: 'notes.md', content: 'x'.repeat(2 * MiB) });
    expect(write.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: "No space left for notes.md: this workspace's disk quota is used up. Delete files in the workspace to free space." });

    const diskEvents = async () => ((await member.query('sessions.events', { sessionId: session.id })).data as { type: string; payload: { full: boolean; message: string } }[])
      .filter((e) => e.type === 'workspace.disk').map((e) => e.payload);
    await app.services.workspaces.checkDisks();
    await app.services.workspaces.checkDisks(); // a second check of the same state says nothing new
    expect(await diskEvents()).toEqual([expect.objectContaining({ full: true, message: expect.stringMatching(/^The workspace's disk is full \(.* of 32 MiB\): writes fail with "No space left on device" until files are deleted\.$/) })]);

    expect((await member.mutate('files.delete', { sessionId: session.id, path: 'big' })).error).toBeNull();
    await app.services.workspaces.checkDisks();
    expect((await diskEvents()).map((e) => e.full)).toEqual([true, false]);
    expect((await member.mutate('files.write', { sessionId: session.id, path: 'notes.md', content: 'fits\n' })).error).toBeNull();
  });
});
