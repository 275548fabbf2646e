import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';

describe('file names over the length the filesystem allows', () => {
  let app: TestApp;
  let member: ApiClient;
  let sessionId: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ member } = await setupAdminAndMember(app));
    sessionId = (await createProvisionedSession(member)).id;
  });
  afterAll(async () => { await app?.close(); });

  const long = 'a'.repeat(256);
  const calls: [string, 'query' | 'mutate', Record<string, unknown>][] = [
    ['files.create', 'mutate', { path: long, kind: 'file' }],
    ['files.create', 'mutate', { path: `src/${long}/x`, kind: 'dir' }],
    ['files.write', 'mutate', { path: long, content: 'x' }],
    ['files.read', 'query', { path: long }],
    ['files.list', 'query', { path: long }],
    ['files.rename', 'mutate', { from: 'README.md', to: long }],
    ['files.delete', 'mutate', { path: `${'é'.repeat(128)}` }], // 128 characters, 256 bytes
  ];

  it.each(calls)('%s answers 400 naming the 255-byte limit (%#)', async (procedure, kind, input) => {
    const r = await member[kind](procedure, { sessionId, ...input });
    expect(r.status).toBe(400);
    expect(r.error?.message).toBe('A file or folder name can be at most 255 bytes long');
  });

  it('still accepts a name of exactly 255 bytes', async () => {
    const r = await member.mutate('files.create', { sessionId, path: 'b'.repeat(255), kind: 'file' });
    expect(r.error).toBeNull();
  });
});
