import { existsSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testProviders, type TestDb } from '../../test/support/db.ts';
import { loadMigrations, migrate, migrationDirs } from './migrate.ts';

describe.each(testProviders)('migration runner on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(provider); });
  afterAll(async () => { await t?.cleanup(); });

  it('records every checked-in migration with its sha256 checksum, as Prisma does', async () => {
    // Raw SQL is not schema-qualified by the adapter: name the test's schema explicitly.
    const table = t.target.provider === 'postgres' ? `"${t.target.schema}"._prisma_migrations` : '_prisma_migrations';
    const rows = await t.db.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: unknown }[]>(
      `SELECT migration_name, checksum, finished_at FROM ${table} ORDER BY migration_name`);
    const local = loadMigrations(migrationDirs[provider]);
    expect(local.length).toBeGreaterThan(0);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(local.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('is idempotent: a second start applies nothing', async () => {
    expect(await migrate(t.target)).toEqual([]);
  });

  it('created the tables the client uses', async () => {
    expect(await t.db.user.count()).toBe(0);
  });

  it.runIf(provider === 'sqlite')('keeps the SQLite files owner-only', () => {
    if (t.target.provider !== 'sqlite') return;
    for (const f of [t.target.file, `${t.target.file}-wal`, `${t.target.file}-shm`]) {
      if (existsSync(f)) expect(statSync(f).mode & 0o077).toBe(0);
    }
  });
});

describe('migration runner safety', () => {
  it('refuses a database whose applied migration was edited afterwards', async () => {
    const t = await createTestDb('sqlite');
    const first = loadMigrations(migrationDirs.sqlite)[0]!;
    await t.db.$executeRawUnsafe(`UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = '${first.name}'`);
    await expect(migrate(t.target)).rejects.toThrow(/modified after it was applied/);
    await t.cleanup();
  });
});
