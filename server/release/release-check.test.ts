// The release guard on a real sandboxed workspace: the shared scanner runs inside the sandbox
// (as the workspace uid) over what `npm pack --dry-run` would publish or a named folder, and a
// publishing approval shows the latest check of the session's workspace, or that none was run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, createProvisionedSession, setupAdminAndMember, startTestApp, type ApiClient, type TestApp } from '../../test/support/app.ts';
import type { NewEvent } from '../sessions/event-types.ts';
import { builtinTools } from '../agent/tools/registry.ts';
import { invokeTool, type AgentWorkspace } from '../agent/tools/tool.ts';
import { agentWorkspace } from '../agent/workspace-adapter.ts';
import { runReleaseCheck } from './check.ts';
import { publishes, withLatestReleaseCheck } from './publish-gate.ts';
import { releaseCheckedEvent } from './record.ts';

const releaseCheck = builtinTools.find((t) => t.name === 'release_check')!;
const runCommand = builtinTools.find((t) => t.name === 'run_command')!;
// Assembled at run time so this file carries no key-shaped text for check:artifacts to find.
const pem = ['-----BEGIN', 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'].join(' ');
const ghToken = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;

describe('release check', () => {
  let app: TestApp;
  let admin: ApiClient;
  let member: ApiClient;
  let sessionId: string;
  let ws: AgentWorkspace;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    ({ admin, member } = await setupAdminAndMember(app));
    const s = await createProvisionedSession(member);
    sessionId = s.id;
    const row = await app.testDb.db.workspace.findUniqueOrThrow({ where: { id: s.workspace.id } });
    ws = agentWorkspace(await app.services.workspaces.get(row));
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'planted', version: '1.0.0', main: 'dist/index.js' }),
      '.tether/release-allow': '# what may ship\ndist/**\n',
      'dist/index.js': 'module.exports = 1;\n//# sourceMappingURL=index.js.map\n',
      'dist/index.js.map': '{"version":3,"sources":["../src/index.ts"]}',
      'dist/config.js': `exports.db = "postgres://db.corp.internal:5432/app"; exports.token = "${ghToken}";`,
      'deploy/id_ed25519': pem,
      'src/index.ts': 'export default 1;',
    };
    for (const [p, content] of Object.entries(files)) await ws.files.writeText(p, content);
  }, 90_000);
  afterAll(async () => { await app?.close(); });

  it('reports a planted source map, its reference, a key, a token and stray files in what npm pack would publish', async () => {
    const recorded: NewEvent[] = [];
    const r = await invokeTool(releaseCheck, {}, { workspace: ws, signal: new AbortController().signal, sessionId, callId: 'rc1', record: async (e) => { recorded.push(e); } });
    expect(r.ok).toBe(true);
    const output = r.ok ? r.output : r.error;
    expect(output).toContain('npm pack --dry-run');
    for (const line of [
      '- dist/index.js.map: source map file',
      '- dist/index.js: source map reference',
      '- dist/config.js: GitHub token',
      '- deploy/id_ed25519: not on the release allowlist (.tether/release-allow)',
      '- deploy/id_ed25519: private key',
      '- src/index.ts: not on the release allowlist (.tether/release-allow)',
    ]) expect(output).toContain(line);
    expect(output).not.toMatch(/package\.json: not on the release allowlist/);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ type: 'release.checked', payload: { source: 'npm pack --dry-run', allowlistFrom: '.tether/release-allow', problemCount: 7 } });
  });

  it('inspects a named build folder, and reports internal host names from the team list', async () => {
    const report = await runReleaseCheck(ws, { dir: 'dist', internalHosts: ['*.corp.internal'] });
    expect(report.source).toBe('folder dist');
    expect(report.problems).toEqual(expect.arrayContaining([
      { path: 'dist/config.js', problem: 'internal host name *.corp.internal' },
      { path: 'dist/index.js.map', problem: 'source map file' },
    ]));
    expect(report.problems.some((p) => p.path.startsWith('deploy/'))).toBe(false);
  });

  it('says so when there is no allowlist, and refuses folders outside the workspace', async () => {
    await ws.exec(['rm', '-r', '.tether']);
    const report = await runReleaseCheck(ws, { dir: null, internalHosts: [] });
    expect(report.allowlistFrom).toBeNull();
    expect(report.problems[0]).toEqual({ path: 'package.json', problem: expect.stringMatching(/^no allowlist/) });
    const bad = await invokeTool(releaseCheck, { dir: '../../etc' }, { workspace: ws, signal: new AbortController().signal, sessionId, callId: 'rc2' });
    expect(bad.ok ? '' : bad.error).toMatch(/inside the workspace/);
    const missing = await invokeTool(releaseCheck, { dir: 'nope' }, { workspace: ws, signal: new AbortController().signal, sessionId, callId: 'rc3' });
    expect(missing.ok ? '' : missing.error).toMatch(/nope is not a folder in the workspace/);
    await ws.files.writeText('.tether/release-allow', 'dist/**\n');
  });

  it('runs from the IDE through the API for people who may use the session, and is recorded in it', async () => {
    const r = await member.mutate('release.check', { sessionId, dir: 'dist' });
    expect(r.status).toBe(200);
    expect((r.data as { problems: { path: string; problem: string }[] }).problems).toContainEqual({ path: 'dist/index.js.map', problem: 'source map file' });
    const events = (await member.query('sessions.events', { sessionId })).data as { type: string; actorId: string | null; payload: { dir: string | null } }[];
    expect(events.filter((e) => e.type === 'release.checked').at(-1)?.payload.dir).toBe('dist');
    // Another member's session looks nonexistent; bad folders are refused in words.
    await admin.mutate('admin.createUser', { email: 'other@example.test', name: 'Olga Other', password: 'other member pw 1', role: 'member' });
    const other = app.api.as(cookieFrom(await app.api.mutate('auth.login', { email: 'other@example.test', password: 'other member pw 1' }))!);
    expect((await other.mutate('release.check', { sessionId, dir: null })).status).toBe(404);
    const bad = await member.mutate('release.check', { sessionId, dir: '../x' });
    expect([bad.status, bad.error?.message]).toEqual([400, expect.stringMatching(/inside the workspace/)]);
  });

  it('finds publishing commands on the parsed argv', () => {
    expect(publishes([['npm', 'publish']])).toBe(true);
    expect(publishes([['npm', '--tag', 'beta', 'publish']])).toBe(true);
    expect(publishes([['cargo', 'publish']])).toBe(true);
    expect(publishes([['npm', 'test'], ['npm', 'run', 'build']])).toBe(false);
  });

  it('a publishing approval shows the latest release check of the session, or that none was run', async () => {
    const memberId = ((await member.query('auth.status')).data as { user: { id: string } }).user.id;
    const fresh = ((await member.mutate('sessions.create', { title: 'never checked' })).data as { id: string }).id;
    const controller = new AbortController();
    const gate = withLatestReleaseCheck(app.services.approvals, app.testDb.db);
    const request = (sid: string, callId: string) => void gate.request({
      sessionId: sid, runId: 'run-publish', userId: memberId, tool: runCommand, input: { command: 'npm publish' }, highRisk: null, callId,
      decision: { decision: 'ask', reason: 'high risk: publishes a package', by: 'classifier', risk: 'high', rule: null, commands: [['npm', 'publish']] },
    }, controller.signal);
    await app.services.events.append(sessionId, releaseCheckedEvent(null, await runReleaseCheck(ws, { dir: null, internalHosts: [] })), { kind: 'user', id: memberId });
    request(sessionId, 'pub-checked');
    request(fresh, 'pub-unchecked');
    await expect.poll(() => app.testDb.db.approval.count({ where: { runId: 'run-publish' } })).toBe(2);
    const checked = ((await admin.query('approvals.list', { sessionId })).data as { callId: string; detail: { releaseCheck: unknown } }[]).find((a) => a.callId === 'pub-checked');
    // The allowlist file itself would ship too, and is not on the allowlist: the seventh problem.
    expect(checked?.detail.releaseCheck).toMatchObject({ source: 'npm pack --dry-run', problemCount: 7, stale: false });
    const unchecked = ((await admin.query('approvals.list', { sessionId: fresh })).data as { callId: string; detail: { releaseCheck: unknown } }[])[0];
    expect(unchecked?.detail).toHaveProperty('releaseCheck', null);
    // A file changed after the check: the next publishing prompt says the check may be stale.
    await app.services.events.append(sessionId, { type: 'file.changed', payload: { path: 'dist/index.js', change: 'modified' } }, { kind: 'user', id: memberId });
    request(sessionId, 'pub-stale');
    await expect.poll(() => app.testDb.db.approval.count({ where: { runId: 'run-publish' } })).toBe(3);
    const stale = ((await admin.query('approvals.list', { sessionId })).data as { callId: string; detail: { releaseCheck: unknown } }[]).find((a) => a.callId === 'pub-stale');
    expect(stale?.detail.releaseCheck).toMatchObject({ stale: true });
    controller.abort('stopped by user');
  });
});
