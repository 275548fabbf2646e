import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';

describe('files as of a point of the timeline, from real checkpoints', () => {
  let app: TestApp;
  let sessionId: string;
  const checkpoints: number[] = [];
  let before: number;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const { member } = await setupAdminAndMember(app);
    const session = await createProvisionedSession(member);
    sessionId = session.id;
    const row = await app.services.db.workspace.findUniqueOrThrow({ where: { id: session.workspace.id } });
    const ws = await app.services.workspaces.get(row);
    const step = async (content: Record<string, string | null>, n: number) => {
      for (const [p, c] of Object.entries(content)) if (c === null) await ws.files.delete(p); else await ws.files.write(p, c);
      const snap = await ws.snapshot(`step ${n}`);
      const e = await app.services.events.append(sessionId, { type: 'agent.checkpoint', payload: { runId: 'r', step: n, callId: `c${n}`, checkpointId: snap.id, label: snap.label, durationMs: 1 } }, { kind: 'agent', id: null });
      checkpoints.push(e.seq);
    };
    await ws.files.createDir('src');
    before = (await app.services.events.append(sessionId, { type: 'user.message', payload: { text: 'start' } }, { kind: 'user', id: null })).seq;
    await step({ 'a.txt': 'one\n', 'src/b.txt': 'bee\n' }, 1);
    await app.services.events.append(sessionId, { type: 'user.message', payload: { text: 'between' } }, { kind: 'user', id: null });
    await step({ 'a.txt': 'two\n', 'src/b.txt': null }, 2);
    await ws.files.write('a.txt', 'now\n');
    await ws.files.write('c.txt', 'sea\n');
  });
  afterAll(async () => { await app?.close(); });

  const replay = () => app.services.share.viewer;
  const link = () => ({ id: 'l', sessionId, teamId: 't', scope: 'view' as const, expiresAt: new Date(Date.now() + 60_000), membersOnly: false });

  // First: it needs caches nothing else has filled yet.
  it('one read of a checkpoint reads its neighbours too, so scrubbing to them starts no sandboxed git', async () => {
    const row = await app.services.db.workspace.findFirstOrThrow({ where: { sessions: { some: { id: sessionId } } } });
    const ws = await app.services.workspaces.get(row);
    const files = vi.spyOn(ws, 'snapshotFile');
    const trees = vi.spyOn(ws, 'snapshotFiles');
    expect(await replay().fileAt(link(), checkpoints[1]!, 'src/b.txt')).toMatchObject({ content: null });
    expect(await replay().fileAt(link(), before, 'src/b.txt')).toMatchObject({ content: 'bee\n' });
    expect((await replay().treeAt(link(), checkpoints[1]!)).paths).toEqual(['a.txt']);
    expect((await replay().treeAt(link(), before)).paths.sort()).toEqual(['a.txt', 'src/b.txt']);
    expect(files.mock.calls.map((c) => c[0].length)).toEqual([2]);
    expect(trees.mock.calls.map((c) => c[0].length)).toEqual([2]);
    files.mockRestore();
    trees.mockRestore();
  });

  it('before a checkpoint and at it: what that checkpoint recorded; after the last: the workspace now', async () => {
    expect(await replay().fileAt(link(), before, 'a.txt')).toMatchObject({ source: 'checkpoint', checkpointSeq: checkpoints[0], content: 'one\n' });
    expect(await replay().fileAt(link(), checkpoints[0]!, 'a.txt')).toMatchObject({ content: 'one\n' });
    expect(await replay().fileAt(link(), checkpoints[0]! + 1, 'a.txt')).toMatchObject({ checkpointSeq: checkpoints[1], content: 'two\n' });
    expect(await replay().fileAt(link(), checkpoints[1]! + 1, 'a.txt')).toMatchObject({ source: 'live', content: 'now\n' });
  });

  it('lists the tree as it was, and says when a file did not exist then', async () => {
    expect((await replay().treeAt(link(), before)).paths.sort()).toEqual(['a.txt', 'src/b.txt']);
    expect((await replay().treeAt(link(), checkpoints[1]!)).paths.sort()).toEqual(['a.txt']);
    expect((await replay().treeAt(link(), checkpoints[1]! + 1)).paths.sort()).toEqual(['a.txt', 'c.txt']);
    expect(await replay().fileAt(link(), checkpoints[1]!, 'src/b.txt')).toMatchObject({ content: null, note: 'This file did not exist at this point.' });
    expect(await replay().fileAt(link(), before, 'src/b.txt')).toMatchObject({ content: 'bee\n' });
  });

  it('refuses paths that leave the workspace', async () => {
    await expect(replay().fileAt(link(), before, '../etc/passwd')).rejects.toThrow(/may not contain/);
    await expect(replay().fileAt(link(), before, '/etc/passwd')).rejects.toThrow(/Absolute paths/);
  });
});
