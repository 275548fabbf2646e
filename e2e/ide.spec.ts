import { ADMIN, expect, signIn, test } from './fixtures.ts';

test('template session: open a file, edit and save, cat it in the terminal, reload and keep the terminal', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill('IDE tour');
  await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: 'IDE tour' })).toBeVisible();

  // The tree shows the template once the workspace is ready.
  const tree = page.getByRole('tree', { name: 'Files' });
  await expect(tree.getByRole('treeitem', { name: 'README.md' })).toBeVisible({ timeout: 20_000 });
  await tree.getByRole('treeitem', { name: 'README.md' }).click();

  const editor = page.getByRole('region', { name: 'Editor' });
  await expect(editor.getByRole('tab', { name: /README\.md/ })).toBeVisible();
  await expect(editor.locator('.view-lines')).toContainText(/\S/);
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\nEdited from the browser: tether-e2e-mark\n');
  await expect(editor.getByLabel('unsaved changes')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+s');
  await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);

  // A terminal in the sandbox sees the saved file.
  // The session's first visit opened a terminal.
  const terminal = page.getByRole('region', { name: /^Terminal/ });
  await expect(terminal).toBeVisible();
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  await page.keyboard.type(`echo "count=$(grep -cx 'Edited from the browser: tether-e2e-mark' README.md) user=$(whoami) dir=$(pwd)"\n`);
  // The sandboxed shell runs as the workspace's own user, in /workspace, and sees the saved edit.
  await expect(terminal.locator('.xterm-rows')).toContainText('count=1 user=tether dir=/workspace');

  // After a reload the terminal still shows what it printed and still takes input.
  await page.reload();
  const again = page.getByRole('region', { name: /^Terminal/ });
  await expect(again.locator('.xterm-rows')).toContainText('count=1 user=tether dir=/workspace', { timeout: 15_000 });
  await again.click();
  await page.keyboard.type('echo after-$((40+2))\n');
  await expect(again.locator('.xterm-rows')).toContainText('after-42');

  // Ctrl+C interrupts the running program (no selection, so it is not a copy).
  await page.keyboard.type('sleep 300\n');
  await page.waitForTimeout(300);
  await page.keyboard.press('Control+c');
  await page.keyboard.type('echo "rc=$?"\n');
  await expect(again.locator('.xterm-rows')).toContainText('rc=130');
});
