// axe-core on every page of the app, in both themes: any violation fails. (/setup exists only
// before the first account; accounts.spec.ts checks it there.)
import { expectAccessible, THEMES, useTheme } from './axe.ts';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

const ADMIN_PAGES = ['/admin', '/admin/policy', '/admin/secrets', '/admin/profiles', '/admin/audit', '/admin/approvals'];

for (const theme of THEMES) {
  test(`every page has no axe violations in the ${theme} theme`, async ({ page }) => {
    test.setTimeout(180_000);
    await useTheme(page, theme);

    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    await expectAccessible(page, `/login (${theme})`);

    await signIn(page, ADMIN);
    await expectAccessible(page, `the dashboard (${theme})`);
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByLabel('Title').fill(`Accessible ${theme}`);
    await expectAccessible(page, `the new-session form (${theme})`);
    await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
    await page.getByRole('button', { name: 'Create session' }).click();
    await expect(page.getByRole('heading', { name: `Accessible ${theme}` })).toBeVisible();

    // The IDE with a file open in the editor, a terminal, and each side tab.
    const tree = page.getByRole('tree', { name: 'Files' });
    await tree.getByRole('treeitem', { name: 'README.md' }).click({ timeout: 30_000 });
    const editor = page.getByRole('region', { name: 'Editor' });
    await expect(editor.locator('.view-lines')).toContainText(/\S/);
    // The session's first visit opened a terminal.
    await expect(page.getByRole('region', { name: 'Terminal 1' }).locator('.xterm-rows')).toContainText('$', { timeout: 15_000 });
    await expectAccessible(page, `the IDE with the agent tab (${theme})`);
    for (const tab of ['Memory', 'Activity']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(page.getByRole('region', { name: tab })).toBeVisible();
      await expectAccessible(page, `the IDE with the ${tab} tab (${theme})`);
    }

    for (const path of ADMIN_PAGES) {
      await page.goto(path);
      await expect(page.locator('main h1').first()).toBeVisible();
      await expectAccessible(page, `${path} (${theme})`);
    }

    await page.goto('/sessions/no-such-session');
    await expectAccessible(page, `the not-found page (${theme})`);
  });
}
