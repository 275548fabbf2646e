// Fresh, migrated databases for integration tests: always SQLite, plus PostgreSQL when
// TEST_DATABASE_URL is set (each test file gets its own schema, dropped afterwards).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../server/db/client.ts';
import { migrate } from '../../server/db/migrate.ts';
import { resolveDbTarget, type DbTarget } from '../../server/db/url.ts';

export interface TestDb { db: Db; target: DbTarget; url: string; cleanup(): Promise<void> }

export const testProviders: ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export async function createTestDb(provider: 'sqlite' | 'postgres'): Promise<TestDb> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'tether-test-db-'));
    const url = `file:${path.join(dir, 'test.db')}`;
    const target = resolveDbTarget(url, dir);
    await migrate(target);
    const db = await createDb(target);
    return { db, target, url, cleanup: async () => { await db.$disconnect(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const u = new URL(base);
  u.searchParams.set('schema', schema);
  const target = resolveDbTarget(u.toString(), tmpdir());
  await migrate(target);
  const db = await createDb(target);
  return {
    db, target, url: u.toString(),
    cleanup: async () => {
      await db.$disconnect();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
