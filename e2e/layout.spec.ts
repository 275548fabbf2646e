import type { Locator, Page } from '@playwright/test';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

async function newSession(page: Page, title: string) {
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible({ timeout: 30_000 });
}

async function width(l: Locator) {
  return (await l.boundingBox())?.width ?? 0;
}
async function height(l: Locator) {
  return (await l.boundingBox())?.height ?? 0;
}

test('panels resize by keyboard and by drag, keep their sizes over a reload, and collapse and expand', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, ADMIN);
  await newSession(page, 'Layout sizes');
  const tree = page.getByRole('tree', { name: 'Files' });
  await expect(tree.getByRole('treeitem', { name: 'README.md' })).toBeVisible({ timeout: 30_000 });
  const side = page.getByRole('complementary', { name: 'Side panel' });
  const explorer = page.getByRole('region', { name: 'Explorer' });
  const terminalArea = page.getByRole('tablist', { name: 'Terminal tabs' }).locator('xpath=ancestor::section[1]');

  // The first visit opened a terminal. Closed, the terminal area folds to its tab row, which
  // still offers New terminal.
  await expect(page.getByRole('region', { name: 'Terminal 1' })).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => height(terminalArea)).toBeGreaterThan(100);
  await page.getByRole('tab', { name: 'Terminal 1' }).press('Delete');
  await expect(page.getByRole('tab', { name: /^Terminal/ })).toHaveCount(0);
  await expect.poll(() => height(terminalArea)).toBeLessThan(45);
  await page.getByRole('button', { name: 'New terminal' }).click();
  await expect(page.getByRole('region', { name: 'Terminal 1' })).toBeVisible();
  await expect.poll(() => height(terminalArea)).toBeGreaterThan(100);

  // Keyboard: the side panel's handle moves left with the arrow keys, so the panel widens.
  const sideBefore = await width(side);
  const sideHandle = page.getByRole('separator', { name: 'Resize the side panel' });
  await sideHandle.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
  await expect.poll(() => width(side)).toBeGreaterThan(sideBefore + 100);

  // Drag: the file tree's handle, 120 px to the right.
  const treeBefore = await width(explorer);
  const handle = (await page.getByRole('separator', { name: 'Resize the file tree' }).boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + 60, handle.y + handle.height / 2, { steps: 4 });
  await page.mouse.move(handle.x + 120, handle.y + handle.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect.poll(() => width(explorer)).toBeGreaterThan(treeBefore + 100);

  // A reload restores both sizes (this session's layout, from localStorage).
  const sideAfter = await width(side);
  const treeAfter = await width(explorer);
  await page.reload();
  await expect(tree.getByRole('treeitem', { name: 'README.md' })).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => width(side)).toBeCloseTo(sideAfter, -1);
  await expect.poll(() => width(explorer)).toBeCloseTo(treeAfter, -1);

  // Collapse and expand from the Panels buttons; the file tree comes back at its size.
  const panels = page.getByRole('group', { name: 'Panels' });
  await expect(panels.getByRole('button', { name: 'Files' })).toHaveAttribute('aria-pressed', 'true');
  await panels.getByRole('button', { name: 'Files' }).click();
  await expect(tree).toBeHidden();
  await expect(panels.getByRole('button', { name: 'Files' })).toHaveAttribute('aria-pressed', 'false');
  await panels.getByRole('button', { name: 'Files' }).click();
  await expect(tree).toBeVisible();
  await expect.poll(() => width(explorer)).toBeCloseTo(treeAfter, -1);
  await panels.getByRole('button', { name: 'Side panel' }).click();
  await expect(side).toBeHidden();
  await panels.getByRole('button', { name: 'Side panel' }).click();
  await expect(page.getByRole('textbox', { name: 'Message the agent' })).toBeVisible();
});

test('at 1000 px wide every panel has room', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 700 });
  await signIn(page, ADMIN);
  await newSession(page, 'Layout at 1000');
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'README.md' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'Terminal 1' })).toBeVisible({ timeout: 15_000 });
  for (const region of [page.getByRole('region', { name: 'Editor' }), page.getByRole('region', { name: 'Terminal 1' }), page.getByRole('region', { name: 'Agent' })]) {
    await expect.poll(() => width(region)).toBeGreaterThan(250);
  }
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport();
});

test('on a phone: one panel at a time, open a file from Files, edit and save it; Sign out stays reachable', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, ADMIN);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport();
  await newSession(page, 'On the phone');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport();

  const panels = page.getByRole('tablist', { name: 'Panels' });
  await panels.getByRole('tab', { name: 'Files' }).click();
  const tree = page.getByRole('tree', { name: 'Files' });
  await tree.getByRole('treeitem', { name: 'README.md' }).click({ timeout: 30_000 });
  // Opening a file shows the editor, full width.
  await expect(panels.getByRole('tab', { name: 'Editor' })).toHaveAttribute('aria-selected', 'true');
  await expect(tree).toBeHidden();
  const editor = page.getByRole('region', { name: 'Editor' });
  await expect.poll(() => width(editor)).toBeGreaterThan(350);
  await expect(editor.locator('.view-lines')).toContainText('my-project');
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type('\nTyped on a phone\n');
  await expect(editor.getByLabel('unsaved changes')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+s');
  await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);

  // The terminal gets the whole screen too, and sees the saved file.
  await panels.getByRole('tab', { name: 'Terminal' }).click();
  await expect(editor).toBeHidden();
  const terminal = page.getByRole('region', { name: 'Terminal 1' });
  await expect.poll(() => width(terminal)).toBeGreaterThan(350);
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  await page.keyboard.type('echo "saved=$(grep -c \'Typed on a phone\' README.md)"\n');
  await expect(terminal.locator('.xterm-rows')).toContainText('saved=1');

  await panels.getByRole('tab', { name: 'Agent' }).click();
  await expect(page.getByRole('textbox', { name: 'Message the agent' })).toBeVisible();

  // Admin tables scroll sideways; the header keeps Sign out on screen.
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport();
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(pageWidth).toBeLessThanOrEqual(390);
});

test('Ctrl+M lets Tab leave the terminal, announced; F6 moves between panels', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, ADMIN);
  await newSession(page, 'Keyboard focus');
  await expect(page.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'README.md' })).toBeVisible({ timeout: 30_000 });
  const terminal = page.getByRole('region', { name: 'Terminal 1' });
  await expect(terminal.locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
  await terminal.click();
  const inTerminal = () => terminal.evaluate((el) => el.contains(document.activeElement));

  // By default Tab belongs to the shell (completion), and focus stays.
  await page.keyboard.press('Tab');
  expect(await inTerminal()).toBe(true);

  await page.keyboard.press('Control+m');
  await expect(page.getByRole('status').filter({ hasText: 'Tab moves focus: on' })).toBeAttached();
  await expect(page.getByText('Tab moves focus (Ctrl+M)')).toBeVisible();
  await page.keyboard.press('Tab');
  expect(await inTerminal()).toBe(false);
  // The next stop after the terminal is the side panel's resize handle.
  await expect(page.getByRole('separator', { name: 'Resize the side panel' })).toBeFocused();

  // Back to typing Tab: the mode is announced as off.
  await terminal.click();
  await page.keyboard.press('Control+m');
  await expect(page.getByRole('status').filter({ hasText: 'Tab moves focus: off' })).toBeAttached();
  await page.keyboard.press('Tab');
  expect(await inTerminal()).toBe(true);

  // F6 goes from the terminal to the side panel, then around to the file tree; Shift+F6 goes back.
  await page.keyboard.press('F6');
  await expect(page.getByRole('tab', { name: 'Agent' })).toBeFocused();
  await page.keyboard.press('F6');
  await expect(page.getByRole('tree', { name: 'Files' })).toBeFocused();
  await page.keyboard.press('Shift+F6');
  await expect(page.getByRole('tab', { name: 'Agent' })).toBeFocused();
  await page.keyboard.press('Control+Backquote');
  await expect(page.getByRole('tree', { name: 'Files' })).toBeFocused();
});
