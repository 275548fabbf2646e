// Live multi-user sessions, with two browser contexts: the owner adds a teammate as an editor,
// the teammate finds the session on their dashboard and opens it, each sees the other in the
// header and beside the file the other has open in the tree; the owner demotes the teammate to
// viewer, and the teammate's editor turns read-only at once, saying why.
import type { Page } from '@playwright/test';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

const run = Math.random().toString(36).slice(2, 7);
const BEA = { name: 'Bea Builder', email: `bea-${run}@example.test`, password: 'bea builds things 1' };

const tree = (page: Page) => page.getByRole('tree', { name: 'Files' });

test('an owner adds an editor, both see each other, and a demotion to viewer takes effect at once', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, ADMIN);
  const created = await page.request.post('/api/trpc/admin.createUser', { data: { json: { ...BEA, role: 'member' } } });
  expect(created.status()).toBe(200);

  const title = `Pairing ${run}`;
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('button', { name: 'Create session' }).click();
  await expect(tree(page).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  // The owner adds Bea as an editor from the Members dialog, typing her email.
  await page.getByRole('button', { name: 'Members' }).click();
  const members = page.getByRole('dialog', { name: 'Members' });
  await members.getByLabel('Person').fill(BEA.email);
  await members.getByLabel(/^Role(?! of)/).selectOption('editor');
  await members.getByRole('button', { name: 'Add member' }).click();
  const people = members.getByRole('table', { name: 'People in this session' });
  await expect(people.getByRole('row', { name: new RegExp(BEA.name) })).toBeVisible();
  await expect(people.getByRole('row', { name: /Ada Admin/ })).toContainText('Owner');
  await members.getByRole('button', { name: 'Close' }).click();

  // Bea, in her own browser: the session is on her dashboard, marked as shared with her.
  const beaContext = await browser.newContext();
  const bea = await beaContext.newPage();
  await signIn(bea, BEA);
  const row = bea.getByRole('row', { name: new RegExp(title) });
  await expect(row).toContainText('shared with you · editor');
  await row.getByRole('link', { name: title }).click();
  await expect(tree(bea).getByRole('treeitem', { name: 'src' })).toBeVisible({ timeout: 20_000 });

  // Each opens a file; each sees the other in the header and beside that file in the tree.
  await tree(page).getByRole('treeitem', { name: 'README.md' }).click();
  await tree(bea).getByRole('treeitem', { name: 'package.json' }).click();
  await expect(page.getByRole('list', { name: 'People here' })).toContainText(BEA.name);
  await expect(bea.getByRole('list', { name: 'People here' })).toContainText(ADMIN.name);
  await expect(tree(page).getByRole('treeitem', { name: 'package.json', exact: true }).getByRole('img', { name: `Open by ${BEA.name}` })).toBeVisible();
  // The file keeps its name; who has it open is its description.
  await expect(tree(page).getByRole('treeitem', { name: 'package.json', exact: true })).toHaveAccessibleDescription(`Open by ${BEA.name}`);
  await expect(tree(bea).getByRole('treeitem', { name: 'README.md', exact: true }).getByRole('img', { name: `Open by ${ADMIN.name}` })).toBeVisible();
  // Nobody is marked on their own file.
  await expect(tree(page).getByRole('img', { name: `Open by ${ADMIN.name}` })).toHaveCount(0);

  // As an editor she can type in the file.
  const beaEditor = bea.getByRole('region', { name: 'Editor' });
  await expect(beaEditor.locator('.view-lines')).toContainText('"name"');
  await beaEditor.locator('.view-lines').click();
  await bea.keyboard.press('Control+Home');
  await bea.keyboard.type('x');
  await expect(beaEditor.locator('.view-lines')).toContainText('x{');
  await bea.keyboard.press('Control+z');
  await expect(beaEditor.locator('.view-lines')).not.toContainText('x{');

  // The owner demotes her to viewer; her page says so and her editor no longer takes typing.
  await page.getByRole('button', { name: 'Members' }).click();
  await members.getByLabel(`Role of ${BEA.name}`).selectOption('viewer');
  await expect(members.getByLabel(`Role of ${BEA.name}`)).toHaveValue('viewer');
  await expect(bea.getByRole('status').filter({ hasText: 'You are a viewer of this session' })).toBeVisible({ timeout: 10_000 });
  await beaEditor.locator('.view-lines').click();
  await bea.keyboard.press('Control+Home');
  await bea.keyboard.type('y');
  await expect(beaEditor.getByText('Cannot edit in read-only editor')).toBeVisible();
  await expect(beaEditor.locator('.view-lines')).not.toContainText('y{');

  // Removed, the session leaves her dashboard.
  await members.getByRole('button', { name: `Remove ${BEA.name}` }).click();
  await expect(people.getByRole('row', { name: new RegExp(BEA.name) })).toHaveCount(0);
  await bea.goto('/');
  await expect(bea.getByRole('heading', { name: 'Your sessions' })).toBeVisible();
  await expect(bea.getByRole('link', { name: title })).toHaveCount(0);
  await beaContext.close();
});
