// Failover is visible: when the primary route fails and the next answers, the agent panel shows
// one line naming both and why, right before the reply.
import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

let model: ScriptedModelServer;
test.beforeAll(async () => { model = await startScriptedModelServer({ port: Number(process.env.E2E_MODEL_PORT) }); });
test.afterAll(async () => { await model?.close(); });

test('a failing primary route and the fallback that answered are named in the transcript', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/admin');
  const agentForm = page.getByRole('form', { name: 'Change agent routes' });
  await agentForm.getByLabel(/Agent routes, primary first/).fill('compat:scripted-primary, compat:scripted-coder');
  await agentForm.getByRole('button', { name: 'Save agent routes' }).click();
  await expect(page.getByRole('table', { name: 'Agent routes' })).toContainText('compat:scripted-primary');

  try {
    await page.goto('/');
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByLabel('Title').fill('Failover in the transcript');
    await page.getByRole('button', { name: 'Create session' }).click();
    await expect(page.getByRole('tree', { name: 'Files' })).toBeVisible({ timeout: 20_000 });

    model.script('scripted-primary', [{ fail: 'http', status: 503, message: 'primary is overloaded' }]);
    model.script('scripted-coder', [{ text: 'Answered by the fallback route.' }]);
    await page.getByRole('textbox', { name: 'Message the agent' }).fill('Hello there.');
    await page.getByRole('button', { name: 'Send' }).click();
    const agent = page.getByRole('region', { name: 'Agent' });
    await expect(agent.getByText('Answered by the fallback route.')).toBeVisible({ timeout: 20_000 });
    await expect(agent.getByText(/^Model route compat:scripted-primary failed \(.*primary is overloaded.*\); compat:scripted-coder answered instead\.$/)).toBeVisible();
    await page.screenshot({ path: 'test-results/failover-line.png' });
  } finally {
    await page.goto('/admin');
    await page.getByRole('form', { name: 'Change agent routes' }).getByRole('button', { name: 'Reset agent routes' }).click();
    await expect(page.getByRole('table', { name: 'Agent routes' })).not.toContainText('scripted-primary');
  }
});
