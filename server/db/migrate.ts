// Applies the checked-in migration SQL at start-up, so the app never needs the Prisma CLI.
// Rows go into _prisma_migrations with the same sha256 checksums Prisma records, so
// `prisma migrate status` agrees with what this runner did.
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DbTarget } from './url.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
export const migrationDirs = {
  sqlite: path.join(projectRoot, 'prisma', 'migrations'),
  postgres: path.join(projectRoot, 'prisma', 'postgres', 'migrations'),
} as const;

/** Serialises concurrent start-ups of several instances against one PostgreSQL. */
const PG_MIGRATION_LOCK = 0x7e7e_0001;

interface Migration { name: string; sql: string; checksum: string }

export function loadMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {}

function checkApplied(applied: Map<string, string>, migrations: Migration[]) {
  for (const [name, checksum] of applied) {
    const local = migrations.find((m) => m.name === name);
    if (!local) throw new MigrationError(`database has migration ${name} that this version of Tether does not know (newer database?)`);
    if (local.checksum !== checksum) throw new MigrationError(`migration ${name} was modified after it was applied (checksum mismatch)`);
  }
}

/** Returns the names of the migrations it applied. */
export async function migrate(target: DbTarget): Promise<string[]> {
  return target.provider === 'sqlite' ? migrateSqlite(target.file) : migratePostgres(target.connectionString, target.schema);
}

/** The database holds password hashes and every session's history: owner-only, always. */
function restrictSqliteFiles(file: string) {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(f)) chmodSync(f, 0o600);
}

function migrateSqlite(file: string): string[] {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  restrictSqliteFiles(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    const migrations = loadMigrations(migrationDirs.sqlite);
    const done: string[] = [];
    db.exec('BEGIN IMMEDIATE');
    try {
      const rows = db.prepare('SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as { migration_name: string; checksum: string }[];
      const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
      checkApplied(applied, migrations);
      for (const m of migrations) {
        if (applied.has(m.name)) continue;
        db.exec(m.sql);
        db.prepare('INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, ?, ?, 1)')
          .run(randomUUID(), m.checksum, Date.now(), m.name);
        done.push(m.name);
      }
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
    restrictSqliteFiles(file);
    return done;
  } finally {
    db.close();
  }
}

async function migratePostgres(connectionString: string, schema: string | undefined): Promise<string[]> {
  // Loaded here, not at start-up: a SQLite installation never needs pg (~7 MiB).
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    if (schema) {
      const ident = `"${schema.replaceAll('"', '""')}"`;
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident}`);
      await client.query(`SET search_path TO ${ident}`);
    }
    await client.query('SELECT pg_advisory_lock($1)', [PG_MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
        id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
        migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
      const migrations = loadMigrations(migrationDirs.postgres);
      const { rows } = await client.query<{ migration_name: string; checksum: string }>(
        'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
      const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]));
      checkApplied(applied, migrations);
      const done: string[] = [];
      for (const m of migrations) {
        if (applied.has(m.name)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)',
            [randomUUID(), m.checksum, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
        }
        done.push(m.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}
