// One Prisma client per process, for whichever provider the configuration names.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient as SqliteClient } from './generated/sqlite/client.ts';
import type { DbTarget } from './url.ts';

/** Both generated clients expose the same model API (the schema is provider-neutral). */
export type Db = SqliteClient;

export async function createDb(target: DbTarget): Promise<Db> {
  if (target.provider === 'sqlite') {
    mkdirSync(path.dirname(target.file), { recursive: true });
    const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([
      import('./generated/sqlite/client.ts'),
      import('@prisma/adapter-better-sqlite3'),
    ]);
    // busy_timeout: concurrent writers wait for the lock instead of failing with SQLITE_BUSY.
    const adapter = new PrismaBetterSqlite3({ url: target.file, timeout: 10_000 });
    return new PrismaClient({ adapter });
  }
  const [{ PrismaClient }, { PrismaPg }] = await Promise.all([
    import('./generated/postgres/client.ts'),
    import('@prisma/adapter-pg'),
  ]);
  const adapter = new PrismaPg({ connectionString: target.connectionString }, target.schema ? { schema: target.schema } : undefined);
  return new PrismaClient({ adapter }) as unknown as Db;
}
