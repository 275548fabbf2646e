// From the login page to a sent agent message with the keyboard alone: no click, no fill.
import type { Locator, Page } from '@playwright/test';
import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { ADMIN, expect, test } from './fixtures.ts';

let model: ScriptedModelServer;
test.beforeAll(async () => { model = await startScriptedModelServer({ port: Number(process.env.E2E_MODEL_PORT) }); });
test.afterAll(async () => { await model?.close(); });

/** Presses `key` (Tab by default) until `target` has focus, as a person would; fails if it never does. */
async function pressUntilFocused(page: Page, target: Locator, key = 'Tab', max = 40) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press(key);
  }
  await expect(target).toBeFocused();
}

test('keyboard only: sign in, create a session, reach the agent and send it a message', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await pressUntilFocused(page, page.getByLabel('Email'));
  await page.keyboard.type(ADMIN.email);
  await pressUntilFocused(page, page.getByLabel('Password'));
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Your sessions' })).toBeVisible();

  await pressUntilFocused(page, page.getByRole('button', { name: 'New session' }));
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Title')).toBeFocused();
  await page.keyboard.type('Keyboard walk');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Keyboard walk' })).toBeVisible();
  const message = page.getByRole('textbox', { name: 'Message the agent' });
  await expect(message).toBeEnabled({ timeout: 30_000 });

  // F6 jumps between the panels (the editor would keep a Tab); the side panel's tab comes first
  // in reach, then Tab walks into the agent panel.
  await pressUntilFocused(page, page.getByRole('tab', { name: 'Agent' }), 'F6', 6);
  await pressUntilFocused(page, message);
  model.script([{ text: 'Hello from the scripted model, reached by keyboard.', usage: { input: 50, output: 10 } }]);
  await page.keyboard.type('Say hello.');
  await page.keyboard.press('Enter');

  const agent = page.getByRole('region', { name: 'Agent' });
  // Sent: the box empties and the message stands in the transcript.
  await expect(message).toHaveValue('');
  await expect(agent.getByText('Say hello.')).toBeVisible();
  await expect(agent.getByText('Hello from the scripted model, reached by keyboard.')).toBeVisible({ timeout: 20_000 });
});
