import path from 'node:path';
import Database from 'better-sqlite3';
import { ADMIN, expect, signIn, test } from './fixtures.ts';

/** The e2e server's own database (SQLite in its data dir): tampered with directly, as an attacker with file access would. */
const dbFile = () => path.join(process.env.E2E_DATA_DIR!, 'tether.db');

test('an admin browses the audit, and Verify names a team entry changed directly in the database', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto('/admin');
  await page.getByRole('link', { name: /Audit: browse, export and verify/ }).click();
  await expect(page.getByRole('heading', { name: 'Audit' })).toBeVisible();
  const records = page.getByRole('table', { name: 'Audit records' });
  await expect(records.getByRole('cell', { name: 'setup.admin_created' })).toBeVisible();

  await page.getByRole('form', { name: 'Audit filters' }).getByLabel('Kind (or prefix)').fill('setup.');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(records.getByRole('row')).toHaveCount(2);

  const result = page.getByRole('status', { name: 'Verification result' });
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(result).toContainText('nothing was changed');

  const db = new Database(dbFile());
  const row = db.prepare('SELECT id, target FROM "AuditEntry" WHERE seq = 1').get() as { id: string; target: string };
  try {
    db.prepare('UPDATE "AuditEntry" SET target = ? WHERE id = ?').run('mallory@example.test', row.id);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(result).toContainText('Tampering detected');
    await expect(result).toContainText(`Team audit chain: broken at record 1 (id ${row.id})`);
  } finally {
    db.prepare('UPDATE "AuditEntry" SET target = ? WHERE id = ?').run(row.target, row.id);
    db.close();
  }
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(result).toContainText('nothing was changed');
});
