// Two Tether instances on one PostgreSQL schema of this spec's own and one Redis (a key prefix of
// its own), workspaces on a directory both use (the shared storage of docs/deploy.md). A browser
// on B reaches a session A runs by being redirected to A; an admin on B approves a call the agent
// on A waits on; when A dies (with its machine: its workspace hosts too), B takes the workspace
// over and the session goes on there with its files.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { ApiClient, cookieFrom } from '../test/support/app.ts';
import { createTestDb, type TestDb } from '../test/support/db.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { expect, recordOffsite, signIn, test } from './fixtures.ts';
import { killHosts, OwnServer, tempDir } from './own-server.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const PEOPLE = {
  ada: { name: 'Ada Admin', email: 'ada@two.test', password: 'ada two instances 1' },
  sam: { name: 'Sam Second', email: 'sam@two.test', password: 'sam two instances 1' },
};
type Person = keyof typeof PEOPLE;

test.skip(!PG_URL || !REDIS_URL, 'needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL (Redis): several instances share state only through them');
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let db: TestDb;
let model: ScriptedModelServer;
let base: string;
let workspacesDir: string;
let a: OwnServer;
let b: OwnServer;
const api = {} as Record<Person, ApiClient>;
let sessionId = '';
const TITLE = 'Runs on A';

/** Pages of this spec's contexts must not reach other hosts either (the fixture guards only its own page). */
const offsite: string[] = [];

test.beforeAll(async () => {
  // Two cold production starts on a shared 2-core machine.
  test.setTimeout(240_000);
  db = await createTestDb('postgres');
  model = await startScriptedModelServer();
  base = tempDir('tether-two-instances-');
  workspacesDir = path.join(base, 'workspaces');
  const shared = {
    DATABASE_URL: db.url, REDIS_URL, TETHER_REDIS_PREFIX: `tether-e2e:${randomBytes(4).toString('hex')}:`,
    TETHER_WORKSPACES_DIR: workspacesDir, TETHER_WORKSPACE_DISK_BYTES: '0', TETHER_SECRET_KEY: randomBytes(32).toString('hex'),
    // Dead after three missed heartbeats: 3 s, so the takeover is quick to test.
    TETHER_INSTANCE_HEARTBEAT: '1',
    TETHER_MODELS: 'compat:two-instances-model', OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'e2e-placeholder-key',
  };
  const instance = (name: string) => OwnServer.create((url) => ({
    dataDir: path.join(base, `data-${name}`),
    env: { ...shared, TETHER_INSTANCE_ID: `e2e-${name}`, TETHER_INSTANCE_URL: url },
  }));
  [a, b] = [await instance('a'), await instance('b')];
  // Together, as a deploy starts them: migrations are applied under an advisory lock.
  await Promise.all([a.start(), b.start()]);

  const anon = new ApiClient(a.url);
  api.ada = anon.as(cookieFrom(await anon.mutate('auth.setup', PEOPLE.ada)));
  const created = await api.ada.mutate('admin.createUser', { ...PEOPLE.sam, role: 'admin' });
  if (created.error) throw new Error(created.error.message);
});
test.afterEach(() => { expect(offsite, 'requests to other hosts').toEqual([]); });
test.afterAll(async () => {
  await a?.kill();
  await b?.stop();
  if (workspacesDir) await killHosts(workspacesDir);
  await model?.close();
  await db?.cleanup();
  if (base) rmSync(base, { recursive: true, force: true });
});

async function signedIn(browser: Browser, who: Person, on: OwnServer): Promise<Page> {
  const context = await browser.newContext({ baseURL: on.url });
  const page = await context.newPage();
  recordOffsite(page, '127.0.0.1', offsite);
  await signIn(page, PEOPLE[who], 30_000);
  return page;
}

test('a browser on B opens a session A runs: it is sent to A, and its terminal answers there', async ({ browser }) => {
  const created = await api.ada.mutate('sessions.create', { title: TITLE, source: { kind: 'template', template: 'node-ts' } });
  if (created.error) throw new Error(created.error.message);
  sessionId = (created.data as { id: string }).id;

  const ada = await signedIn(browser, 'ada', b);
  await ada.goto(`${b.url}/sessions/${sessionId}`);
  // B knows A runs it and A is alive: the page is A's (the documented redirect to the owner).
  await expect(ada).toHaveURL(`${a.url}/sessions/${sessionId}`);
  await expect(ada.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 30_000 });
  const terminal = ada.getByRole('region', { name: 'Terminal 1' });
  const screen = terminal.locator('.xterm-rows');
  await expect(screen).toContainText('$', { timeout: 30_000 });
  await terminal.click();
  await ada.keyboard.type('echo kept-on-shared-storage > kept.txt; echo answered-$((20+22))\n');
  await expect(screen).toContainText('answered-42');
  await ada.context().close();
});

test('the agent runs on A; an admin on B approves its high-risk call from the queue, and the run finishes on A', async ({ browser }) => {
  model.script([
    { toolCalls: [{ id: 'call_rm_src', name: 'run_command', input: { command: 'rm -rf src' } }] },
    { text: 'Removed src as asked.' },
  ]);
  const sam = await signedIn(browser, 'sam', b);
  await sam.goto('/admin/approvals');
  await expect(sam.getByText('Nothing is waiting for approval.')).toBeVisible();

  const ada = await signedIn(browser, 'ada', a);
  await ada.goto(`/sessions/${sessionId}`);
  await expect(ada).toHaveURL(`${a.url}/sessions/${sessionId}`);
  await ada.getByRole('textbox', { name: 'Message the agent' }).fill('Delete the src folder.');
  await ada.getByRole('button', { name: 'Send' }).click();
  await expect(ada.getByRole('region', { name: 'Approval required' })).toBeVisible({ timeout: 30_000 });

  // B's queue hears of it (Socket.IO's Redis adapter) and B takes the answer.
  const item = sam.getByRole('listitem', { name: `run_command in ${TITLE}` });
  await expect(item.getByLabel('Command', { exact: true })).toHaveText('rm -rf src', { timeout: 20_000 });
  await item.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(item).toBeHidden();
  expect(sam.url()).toBe(`${b.url}/admin/approvals`);

  // The run waiting on A heard the decision over the Redis bus and went on.
  const agent = ada.getByRole('region', { name: 'Agent' });
  await expect(agent.getByText('Removed src as asked.')).toBeVisible({ timeout: 30_000 });
  await expect(agent.getByRole('article', { name: 'Tool call run_command: done' })).toBeVisible();
  await expect(agent.getByText('Approval approved: approved by Sam Second.')).toBeVisible();
  expect(model.requests).toHaveLength(2);
  await sam.context().close();
  await ada.context().close();
});

test('A dies with its machine: B takes the workspace over once A misses its heartbeats, and the session goes on there with its files', async ({ browser }) => {
  const ada = await signedIn(browser, 'ada', b);
  await ada.goto(`/sessions/${sessionId}`);
  await expect(ada).toHaveURL(`${a.url}/sessions/${sessionId}`);
  await expect(ada.getByRole('tab', { name: 'Terminal 1' })).toBeVisible({ timeout: 30_000 });
  // Fully loaded first: killed while the page still fetched its later chunks (editor, agent panel)
  // from A, Next's "This page couldn't load" replaced the IDE.
  await expect(ada.getByRole('textbox', { name: 'Message the agent' })).toBeVisible({ timeout: 30_000 });
  await expect(ada.getByText('live', { exact: true })).toBeVisible();

  await a.kill();
  await killHosts(workspacesDir); // A's machine is gone: so are the workspace's processes.
  await expect(ada.getByText('reconnecting', { exact: true })).toBeVisible({ timeout: 15_000 });

  // While A's last heartbeat is fresh, B still sends the browser to A; after three missed, B serves the page itself.
  await expect.poll(async () => (await ada.request.get(`${b.url}/sessions/${sessionId}`, { maxRedirects: 0 })).status(), { timeout: 20_000 }).toBe(200);
  await ada.goto(`${b.url}/sessions/${sessionId}`);
  await expect(ada).toHaveURL(`${b.url}/sessions/${sessionId}`);

  // The files are there, from the shared storage: the terminal's file, the agent's deletion.
  const tree = ada.getByRole('tree', { name: 'Files' });
  await expect(tree.getByRole('treeitem', { name: 'kept.txt' })).toBeVisible({ timeout: 30_000 });
  await expect(tree.getByRole('treeitem', { name: 'package.json' })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'src' })).toHaveCount(0);
  await tree.getByRole('treeitem', { name: 'kept.txt' }).click();
  await expect(ada.getByRole('region', { name: 'Editor' }).locator('.view-lines')).toContainText('kept-on-shared-storage');

  // The agent's history is there too (the event stream is in the database).
  await expect(ada.getByRole('region', { name: 'Agent' }).getByText('Removed src as asked.')).toBeVisible();
  // The timeline says where the session went.
  await ada.getByRole('tab', { name: 'Activity' }).click();
  await expect(ada.getByRole('list', { name: 'Session events' })).toContainText('workspace.moved');

  // A's shell ran on A's machine and went with it: B lists no terminal of A's, so the page (a first
  // visit on B's origin) opened a fresh one on B, which answers.
  const terminal = ada.getByRole('region', { name: 'Terminal 1' });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 30_000 });
  await expect(terminal.locator('.xterm-rows')).not.toContainText('answered-42');
  await expect(ada.getByRole('tab', { name: /^Terminal/ })).toHaveCount(1);
  await ada.screenshot({ path: test.info().outputPath('taken-over-on-b.png') });
  await terminal.click();
  await ada.keyboard.type('cat kept.txt; echo on-b-$((40+2))\n');
  await expect(terminal.locator('.xterm-rows')).toContainText('on-b-42');
  await expect(terminal.locator('.xterm-rows')).toContainText('kept-on-shared-storage');
  await ada.context().close();
});
