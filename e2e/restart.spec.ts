// A server killed mid-run (between two agent steps) comes back with the run marked interrupted;
// the user resumes it and it completes without re-running the step already done.
import { OwnServer } from './own-server.ts';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { expect, test } from './fixtures.ts';

let model: ScriptedModelServer;
let server: OwnServer;

test.beforeAll(async () => {
  model = await startScriptedModelServer();
  server = await OwnServer.start({
    env: { TETHER_MODELS: 'compat:restart-model', OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'e2e-placeholder-key' },
  });
});
test.afterAll(async () => {
  await server?.kill();
  await model?.close();
});

test('kill the server between two agent steps, restart, see "interrupted", resume to completion', async ({ page }) => {
  const base = server.url;
  await page.goto(`${base}/setup`);
  await page.getByLabel('Name').fill('Rita Restart');
  await page.getByLabel('Email').fill('rita@example.test');
  await page.getByLabel('Password').fill('restart password 1');
  await page.getByRole('button', { name: 'Create admin account' }).click();
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Crash test');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  model.script([
    { text: 'Reading the package first.', toolCalls: [{ id: 'call_pkg', name: 'read_file', input: { path: 'package.json' } }] },
    { delayMs: 30_000, text: 'This reply never arrives: the server dies while waiting for it.' },
    { text: 'Resumed and finished: the package is called my-project.' },
  ]);
  await page.getByRole('textbox', { name: 'Message the agent' }).fill('What is the package called?');
  await page.getByRole('button', { name: 'Send' }).click();
  const agent = page.getByRole('region', { name: 'Agent' });
  await expect(agent.getByRole('article', { name: 'Tool call read_file: done' })).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => model.requests.length).toBe(2); // step 2's model call is in flight

  await server.restart('kill');

  await page.reload();
  const notice = agent.getByText(/Interrupted by a server restart after step 1/);
  await expect(notice).toBeVisible({ timeout: 20_000 });
  await agent.getByRole('button', { name: 'Resume' }).click();
  await expect(agent.getByText('Resumed and finished: the package is called my-project.')).toBeVisible({ timeout: 20_000 });
  await expect(agent.getByText(/Resumed from step/)).toBeVisible();
  // The completed step was not run again: one read_file card, and three model calls in all.
  await expect(agent.getByRole('article', { name: /Tool call read_file/ })).toHaveCount(1);
  expect(model.requests).toHaveLength(3);
  await expect(agent.getByRole('button', { name: 'Resume' })).toHaveCount(0);
});

test('a tool call cut short by the crash shows "interrupted" after the restart, until Resume settles it', async ({ page }) => {
  const base = server.url;
  await page.goto(`${base}/login`);
  await page.getByLabel('Email').fill('rita@example.test');
  await page.getByLabel('Password').fill('restart password 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Crash mid-command');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  model.script([
    { toolCalls: [{ id: 'call_slow', name: 'run_command', input: { command: 'sleep 50' } }] },
    { text: 'The command was cut short by the restart; nothing else to do.' },
  ]);
  await page.getByRole('textbox', { name: 'Message the agent' }).fill('Run the slow command.');
  await page.getByRole('button', { name: 'Send' }).click();
  const agent = page.getByRole('region', { name: 'Agent' });
  const card = agent.getByRole('article', { name: 'Tool call run_command: running' });
  await expect(card).toBeVisible({ timeout: 20_000 });
  // The card runs from the moment the model asks; the checkpoint comes after the policy allowed the
  // call, just before it starts. Killed earlier, the call never started and Resume rightly runs it.
  await expect(card.getByText('Checkpoint before this step')).toBeVisible({ timeout: 20_000 });

  await server.restart('kill');

  await page.reload();
  // Before Resume: interrupted, not "running".
  await expect(agent.getByRole('article', { name: 'Tool call run_command: interrupted' })).toBeVisible({ timeout: 20_000 });
  await expect(agent.getByRole('article', { name: 'Tool call run_command: running' })).toHaveCount(0);
  await agent.getByRole('button', { name: 'Resume' }).click();
  // Resume answers it (it may have partly run), then the run goes on.
  await expect(agent.getByRole('article', { name: 'Tool call run_command: failed' })).toBeVisible({ timeout: 20_000 });
  await expect(agent.getByText(/interrupted by a server restart while it ran/)).toBeVisible();
  await expect(agent.getByText('The command was cut short by the restart; nothing else to do.')).toBeVisible({ timeout: 20_000 });
});

