import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

let model: ScriptedModelServer;
test.beforeAll(async () => { model = await startScriptedModelServer({ port: Number(process.env.E2E_MODEL_PORT) }); });
test.afterAll(async () => { await model?.close(); });

test('picking the ask profile beside the message box: the tool card shows it, and a write is denied as out of scope', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Ask about the code');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  model.script([
    { toolCalls: [{ id: 'call_ask_read', name: 'read_file', input: { path: 'src/cart.mjs' } }] },
    { toolCalls: [{ id: 'call_ask_write', name: 'write_file', input: { path: 'src/cart.mjs', content: 'oops' } }] },
    { text: 'I may only read under the ask profile.' },
  ]);
  const agent = page.getByRole('region', { name: 'Agent' });
  await agent.getByRole('combobox', { name: 'Task profile' }).selectOption('ask');
  await page.getByRole('textbox', { name: 'Message the agent' }).fill('What does totalCents do?');
  await page.getByRole('button', { name: 'Send' }).click();

  const read = agent.getByRole('article', { name: 'Tool call read_file: done' });
  await expect(read).toBeVisible({ timeout: 20_000 });
  await expect(read.getByText('ask', { exact: true })).toBeVisible();
  const write = agent.getByRole('article', { name: 'Tool call write_file: failed' });
  await expect(write).toContainText("outside the ask task's scope", { timeout: 20_000 });
  await expect(agent.getByText('I may only read under the ask profile.')).toBeVisible();
  // write_file was not even offered to the model under ask.
  const tools = (model.requests[0]!.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
  expect(tools).not.toContain('write_file');
});
