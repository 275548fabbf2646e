import path from 'node:path';

export type DbTarget =
  | { provider: 'sqlite'; file: string }
  | { provider: 'postgres'; connectionString: string; schema: string | undefined };

/** Where the database lives: SQLite in the data dir unless DATABASE_URL names PostgreSQL. */
export function resolveDbTarget(databaseUrl: string | undefined, dataDir: string): DbTarget {
  if (!databaseUrl) return { provider: 'sqlite', file: path.join(dataDir, 'tether.db') };
  if (databaseUrl.startsWith('file:')) return { provider: 'sqlite', file: path.resolve(databaseUrl.slice('file:'.length)) };
  const url = new URL(databaseUrl);
  // `?schema=` is Prisma's convention; pg itself would reject the unknown parameter.
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return { provider: 'postgres', connectionString: url.toString(), schema };
}
