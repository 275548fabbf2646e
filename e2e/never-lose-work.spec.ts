// Never lose work: unsaved edits survive a reload (and leaving asks first), tabs follow renames and
// deletions without writing a deleted file back, two people editing one file get a conflict to
// merge rather than last-save-wins, and an edit saved while the server is down reaches the disk
// when it is back.
import type { Browser, Page } from '@playwright/test';
import { ADMIN, expect, MEMBER, signIn, test } from './fixtures.ts';
import { OwnServer } from './own-server.ts';

async function newSession(page: Page, title: string, source: 'Empty' | 'Node/TypeScript template') {
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('radio', { name: source }).check();
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByRole('tree', { name: 'Files' })).toBeVisible({ timeout: 20_000 });
}

async function newFile(page: Page, name: string) {
  await page.getByRole('button', { name: 'New file' }).click();
  await page.getByRole('textbox', { name: /^New file in/ }).fill(name);
  await page.keyboard.press('Enter');
}

/** Types at the end of the editor's current file. */
async function typeAtEnd(page: Page, text: string) {
  await page.getByRole('region', { name: 'Editor' }).locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(text);
}

test('unsaved edits, open tabs, the active tab and open folders come back after a reload, which asks first', async ({ page }) => {
  await signIn(page, ADMIN);
  await newSession(page, 'Keep my edits', 'Node/TypeScript template');
  const tree = page.getByRole('tree', { name: 'Files' });
  const editor = page.getByRole('region', { name: 'Editor' });
  await expect(tree.getByRole('treeitem', { name: 'src', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree.getByRole('treeitem', { name: 'README.md', exact: true }).click();
  await expect(editor.locator('.view-lines')).toContainText(/\S/);
  await typeAtEnd(page, '\nunsaved line kept across a reload');
  await expect(editor.getByLabel('unsaved changes')).toBeVisible();
  await tree.getByRole('treeitem', { name: 'src', exact: true }).click();
  await tree.getByRole('treeitem', { name: 'cart.mjs', exact: true }).click();
  await expect(editor.getByRole('tab', { name: 'cart.mjs' })).toHaveAttribute('aria-selected', 'true');

  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.type()); void d.accept(); });
  await page.reload();
  expect(dialogs).toEqual(['beforeunload']);

  // Back as it was: both tabs, cart.mjs active, README still dirty with the edit, src still open.
  await expect(editor.getByRole('tab', { name: 'cart.mjs' })).toHaveAttribute('aria-selected', 'true', { timeout: 20_000 });
  const readme = editor.getByRole('tab', { name: /README\.md/ });
  await expect(readme.getByLabel('unsaved changes')).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'cart.mjs', exact: true })).toBeVisible();
  await readme.click();
  await expect(editor.locator('.view-lines')).toContainText('unsaved line kept across a reload');

  // Saved, nothing is left to ask about: the next reload goes without a prompt.
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+s');
  await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);
  await page.reload();
  expect(dialogs).toEqual(['beforeunload']);
  await expect(editor.getByRole('tab', { name: 'README.md' })).toBeVisible({ timeout: 20_000 });
  await editor.getByRole('tab', { name: 'README.md' }).click();
  await expect(editor.locator('.view-lines')).toContainText('unsaved line kept across a reload');
});

test('rename retitles open tabs, delete closes clean tabs and keeps dirty ones as "deleted on disk", nested new files make their folders', async ({ page }) => {
  page.on('dialog', (d) => void d.accept());
  await signIn(page, ADMIN);
  await newSession(page, 'Tabs follow the tree', 'Empty');
  const tree = page.getByRole('tree', { name: 'Files' });
  const editor = page.getByRole('region', { name: 'Editor' });

  // A nested path creates its folders, shown open, and opens the file.
  await newFile(page, 'a/b/c.ts');
  await expect(tree.getByRole('treeitem', { name: 'c.ts', exact: true })).toBeVisible();
  await expect(tree.getByRole('treeitem', { name: 'a', exact: true })).toHaveAttribute('aria-expanded', 'true');
  await expect(editor.getByRole('tab', { name: 'c.ts' })).toBeVisible();
  await typeAtEnd(page, 'export const c = 1;');
  await page.keyboard.press('ControlOrMeta+s');
  await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);

  // Renaming the file, then its folder, retitles the tab; the content goes with it.
  await tree.getByRole('treeitem', { name: 'c.ts', exact: true }).click();
  await tree.press('F2');
  await page.getByRole('textbox', { name: 'Rename a/b/c.ts' }).fill('renamed.ts');
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('tab', { name: 'renamed.ts' })).toBeVisible();
  await expect(editor.getByRole('tab', { name: 'c.ts' })).toHaveCount(0);
  await tree.getByRole('treeitem', { name: 'a', exact: true }).click(); // selects, and folds it
  await tree.press('ArrowRight');
  await tree.press('F2');
  await page.getByRole('textbox', { name: 'Rename a' }).fill('z');
  await page.keyboard.press('Enter');
  await expect(editor.getByRole('tab', { name: /^renamed\.ts/ })).toHaveAttribute('title', 'z/b/renamed.ts');
  // The renamed folder stays open, its subfolder too.
  await expect(tree.getByRole('treeitem', { name: 'renamed.ts', exact: true })).toBeVisible();
  await expect(editor.locator('.view-lines')).toContainText('export const c = 1;');

  // A failed rename says so once, in the tree, until dismissed.
  await newFile(page, 'clean.md');
  await expect(editor.getByRole('tab', { name: 'clean.md' })).toBeVisible();
  await tree.getByRole('treeitem', { name: 'clean.md', exact: true }).click();
  await tree.press('F2');
  // (Made in z, the folder selected; b is there already.)
  await page.getByRole('textbox', { name: 'Rename z/clean.md' }).fill('b');
  await page.keyboard.press('Enter');
  const explorer = page.getByRole('region', { name: 'Explorer' });
  await expect(explorer.getByRole('alert')).toContainText('Could not rename z/clean.md');
  await expect(page.getByRole('alert').filter({ hasText: 'Could not rename' })).toHaveCount(1);
  await explorer.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not rename' })).toHaveCount(0);

  // Deleting a clean file closes its tab.
  await tree.getByRole('treeitem', { name: 'clean.md', exact: true }).click();
  await tree.press('Delete');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(tree.getByRole('treeitem', { name: 'clean.md', exact: true })).toHaveCount(0);
  await expect(editor.getByRole('tab', { name: /clean\.md/ })).toHaveCount(0);

  // Deleting a file with unsaved edits keeps them, marked; saving never writes the old path back.
  await newFile(page, 'draft.md');
  await expect(editor.getByRole('tab', { name: 'draft.md' })).toBeVisible();
  await typeAtEnd(page, 'a draft worth keeping');
  await tree.getByRole('treeitem', { name: 'draft.md', exact: true }).click();
  await tree.press('Delete');
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
  await expect(tree.getByRole('treeitem', { name: 'draft.md', exact: true })).toHaveCount(0);
  const draftTab = editor.getByRole('tab', { name: /draft\.md \(deleted on disk\)/ });
  await expect(draftTab).toBeVisible();
  await expect(draftTab.getByLabel('unsaved changes')).toBeVisible();
  await expect(editor.getByRole('alert')).toContainText('draft.md was deleted on disk');
  await expect(editor.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
  await editor.locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+s');
  await expect(editor.getByRole('alert').filter({ hasText: 'use "Recreate file"' })).toBeVisible();
  await page.waitForTimeout(500);
  await expect(tree.getByRole('treeitem', { name: 'draft.md', exact: true })).toHaveCount(0);

  // Only a deliberate "Recreate file" puts it back, with the edits.
  await editor.getByRole('button', { name: 'Recreate file' }).click();
  await expect(tree.getByRole('treeitem', { name: 'draft.md', exact: true })).toBeVisible();
  await expect(editor.getByRole('tab', { name: 'draft.md' })).toBeVisible();
  await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);
  await expect(editor.getByRole('alert')).toHaveCount(0);
});

async function signedInContext(browser: Browser, baseURL: string, who: { email: string; password: string }) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await signIn(page, who);
  return page;
}

test('two people edit one file: the later save shows the conflict as a diff, and the merge keeps both edits', async ({ page, browser, baseURL }) => {
  // Two browsers typing into Monaco: past 60 s on a loaded CI machine.
  test.setTimeout(120_000);
  await signIn(page, MEMBER);
  await newSession(page, 'Shared file', 'Node/TypeScript template');
  const url = page.url();
  const tree = page.getByRole('tree', { name: 'Files' });
  const editor = page.getByRole('region', { name: 'Editor' });
  await expect(tree.getByRole('treeitem', { name: 'README.md', exact: true })).toBeVisible({ timeout: 20_000 });
  await tree.getByRole('treeitem', { name: 'README.md', exact: true }).click();
  await expect(editor.locator('.view-lines')).toContainText(/\S/);
  await typeAtEnd(page, '\nmember line');

  // An admin of the team opens the same session and file, edits and saves first.
  const admin = await signedInContext(browser, baseURL!, ADMIN);
  try {
    await admin.goto(url);
    const adminEditor = admin.getByRole('region', { name: 'Editor' });
    await admin.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'README.md', exact: true }).click({ timeout: 20_000 });
    await expect(adminEditor.locator('.view-lines')).toContainText(/\S/);
    await typeAtEnd(admin, '\nadmin line');
    await admin.keyboard.press('ControlOrMeta+s');
    await expect(adminEditor.getByLabel('unsaved changes')).toHaveCount(0);

    // The member's save is not last-save-wins: it shows both versions side by side.
    await editor.getByRole('button', { name: 'Save', exact: true }).click();
    const diff = page.getByRole('region', { name: 'Changes on disk compared with your buffer' });
    await expect(diff).toContainText('admin line');
    await expect(diff).toContainText('member line');
    await expect(editor.getByRole('alert').filter({ hasText: 'changed on disk while you were editing it' })).toBeVisible();

    // Merge by editing the right side, then save against the version just seen.
    await diff.locator('.editor.modified .view-lines:not(.line-delete)').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\nadmin line');
    await diff.getByRole('button', { name: 'Save merged' }).click();
    await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);
    await expect(diff).toHaveCount(0);

    // The admin's clean tab follows the disk: both lines are there.
    await expect(adminEditor.locator('.view-lines')).toContainText('member line');
    await expect(adminEditor.locator('.view-lines')).toContainText('admin line');
  } finally {
    await admin.context().close();
  }
});

// The outage journey runs its own server, so it can kill and restart it.
test.describe('server outage', () => {
  let server: OwnServer;
  test.beforeAll(async () => { server = await OwnServer.start(); });
  test.afterAll(async () => { await server?.kill(); });

  test('the IDE stays through a server restart, says "reconnecting", and an edit saved meanwhile reaches the disk', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(`${server.url}/setup`);
    await page.getByLabel('Name').fill('Olga Outage');
    await page.getByLabel('Email').fill('olga@example.test');
    await page.getByLabel('Password').fill('outage password 1');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await newSession(page, 'Outage', 'Empty');
    const tree = page.getByRole('tree', { name: 'Files' });
    const editor = page.getByRole('region', { name: 'Editor' });
    await newFile(page, 'outage.txt');
    await expect(editor.getByRole('tab', { name: 'outage.txt' })).toBeVisible();
    await typeAtEnd(page, 'before the outage');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(editor.getByLabel('unsaved changes')).toHaveCount(0);
    await expect(page.getByText('live', { exact: true })).toBeVisible();

    await server.kill();
    await expect(page.getByText('reconnecting', { exact: true })).toBeVisible({ timeout: 15_000 });
    // Still the IDE, still editable; the save waits, and says so.
    await typeAtEnd(page, ', typed during it');
    await page.keyboard.press('ControlOrMeta+s');
    await expect(editor.getByRole('status').filter({ hasText: '1 save is queued' })).toBeVisible();
    await expect(editor.getByLabel('unsaved changes, save queued')).toBeVisible();
    await page.waitForTimeout(6_000); // past the session query's stale time: a refetch fails meanwhile
    await expect(page.getByRole('heading', { name: 'Outage' })).toBeVisible();
    await expect(tree.getByRole('treeitem', { name: 'outage.txt', exact: true })).toBeVisible();
    await expect(page.getByText(/Failed to fetch/)).toHaveCount(0);

    await server.start();
    await expect(page.getByText('live', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(editor.getByLabel(/unsaved changes/)).toHaveCount(0, { timeout: 15_000 });
    await expect(editor.getByRole('status').filter({ hasText: 'queued' })).toHaveCount(0);

    // On disk: read back through a fresh page, which also has nothing left to keep.
    await page.reload();
    await tree.getByRole('treeitem', { name: 'outage.txt', exact: true }).click({ timeout: 20_000 });
    await expect(editor.locator('.view-lines')).toContainText('before the outage, typed during it');
  });
});
