import { startScriptedModelServer, type ScriptedModelServer } from '../test/support/scripted-model-server.ts';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

let model: ScriptedModelServer;
test.beforeAll(async () => { model = await startScriptedModelServer({ port: Number(process.env.E2E_MODEL_PORT) }); });
test.afterAll(async () => { await model?.close(); });

const BROKEN = 'sum + item.unitPriceCents + item.quantity';
const FIXED = 'sum + item.unitPriceCents * item.quantity';

test('the agent fixes a failing test, step by step in the browser, and Rewind restores the broken file', async ({ page }) => {
  // A long journey (two test runs in the sandbox, an agent run, a rewind): past 60 s on a loaded CI machine.
  test.setTimeout(120_000);
  page.on('dialog', (d) => void d.accept());
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('Agent fixes a test');
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  // Break the code from the terminal, as a person would, and watch the suite fail.
  // The session's first visit opened a terminal.
  const terminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  await page.keyboard.type(`sed -i 's/${FIXED.replace('*', '\\*')}/${BROKEN}/' src/cart.mjs && npm test 2>&1 | grep -E '^# (pass|fail)'\n`);
  await expect(terminal.locator('.xterm-rows')).toContainText('# fail 1', { timeout: 20_000 });

  model.script([
    { text: 'Let me look at the failing test.', toolCalls: [{ id: 'call_read_test', name: 'read_file', input: { path: 'src/cart.test.mjs' } }], usage: { input: 900, output: 40 } },
    { toolCalls: [{ id: 'call_read_src', name: 'read_file', input: { path: 'src/cart.mjs' } }], usage: { input: 1200, output: 20 } },
    { text: '`totalCents` adds the quantity instead of multiplying by it.', toolCalls: [{ id: 'call_edit', name: 'edit_file', input: { path: 'src/cart.mjs', oldString: BROKEN, newString: FIXED } }], usage: { input: 1500, output: 60 } },
    { toolCalls: [{ id: 'call_test', name: 'run_tests', input: {} }], usage: { input: 1700, output: 15 } },
    { text: 'Fixed: **totalCents** now multiplies price by quantity, and all 3 tests pass.', usage: { input: 1900, output: 30 } },
  ]);

  await page.getByRole('textbox', { name: 'Message the agent' }).fill('The totalCents test fails. Please fix it.');
  await page.getByRole('button', { name: 'Send' }).click();

  const agent = page.getByRole('region', { name: 'Agent' });
  await expect(page.getByRole('textbox', { name: 'Message the agent' })).toHaveValue('');
  await expect(agent.getByText('The totalCents test fails. Please fix it.')).toBeVisible();
  await expect(agent.getByRole('article', { name: 'Tool call read_file: done' })).toHaveCount(2, { timeout: 20_000 });
  const edit = agent.getByRole('article', { name: 'Tool call edit_file: done' });
  await expect(edit.getByLabel('Diff')).toContainText(`+  return items.reduce((sum, item) => ${FIXED}, 0);`);
  const tests = agent.getByRole('article', { name: 'Tool call run_tests: done' });
  await expect(tests.getByLabel('Output of run_tests')).toContainText('PASSED');
  await expect(tests.getByLabel('Output of run_tests')).toContainText('# pass 3');
  await expect(agent.getByText('all 3 tests pass.')).toBeVisible();
  await expect(agent.getByText(/compat:scripted-coder · \d+ tok/)).toBeVisible();

  // The real client sent the tool results back to the model.
  const last = JSON.stringify(model.requests.at(-1)?.body);
  expect(last).toContain('# pass 3');

  // The file on disk is fixed.
  await terminal.click();
  await page.keyboard.type(`clear; npm test 2>&1 | grep -E '^# (pass|fail)'\n`);
  await expect(terminal.locator('.xterm-rows')).toContainText('# fail 0', { timeout: 20_000 });

  // Rewind to the checkpoint taken before the edit: the broken file is back.
  await edit.getByRole('button', { name: 'Rewind to here' }).click();
  await expect(agent.getByText(/Rewound the files/)).toBeVisible();
  await terminal.click();
  await page.keyboard.type(`clear; npm test 2>&1 | grep -E '^# (pass|fail)'\n`);
  await expect(terminal.locator('.xterm-rows')).toContainText('# fail 1', { timeout: 20_000 });

  // The admin page shows the route's health and today's metered usage.
  await page.goto('/admin');
  const routes = page.getByRole('table', { name: 'Agent routes' });
  await expect(routes.getByRole('row', { name: /compat:scripted-coder/ })).toContainText('healthy');
  const usage = page.getByRole('table', { name: 'Model usage today' });
  await expect(usage.getByRole('row', { name: /compat:scripted-coder/ })).toContainText(/compat:scripted-coder\s*agent\s*5\s*7200\s*165/);
});
