#!/usr/bin/env node
// Keeps the two providers' artefacts derived from prisma/schema.prisma (the one source of truth):
//   node scripts/db-generate.mjs                 regenerate postgres schema + both clients
//   node scripts/db-generate.mjs --migration N   also write a migration named N for both providers
//   node scripts/db-generate.mjs --check         fail if anything committed is stale (CI)
// Needs the Prisma CLI and ../shared/tools/prisma-offline-engine.mjs (developers and CI only).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync, readdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const migrationName = args.includes('--migration') ? args[args.indexOf('--migration') + 1] : undefined;
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const pgUrl = process.env.PRISMA_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const targets = {
  sqlite: { schema: 'prisma/schema.prisma', migrations: 'prisma/migrations', client: 'server/db/generated/sqlite' },
  postgres: { schema: 'prisma/postgres/schema.prisma', migrations: 'prisma/postgres/migrations', client: 'server/db/generated/postgres' },
};

function postgresSchema() {
  const source = readFileSync(path.join(root, targets.sqlite.schema), 'utf8');
  const body = source.replace(/^(\/\/.*\n)+/, '');
  const out = body
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "../server/db/generated/sqlite"', 'output       = "../../server/db/generated/postgres"');
  if (out === body || !out.includes('provider = "postgresql"') || !out.includes('generated/postgres')) {
    throw new Error('could not derive the PostgreSQL schema: generator/datasource lines changed shape');
  }
  return '// GENERATED from prisma/schema.prisma by `npm run db:generate`. Edit that file, not this one.\n' + out;
}

// A scratch SQLite file: the CLI silently prints nothing when its database path cannot be opened.
const scratch = mkdtempSync(path.join(tmpdir(), 'tether-prisma-'));
function prisma(target, cliArgs) {
  return execFileSync('npx', ['--no-install', 'prisma', ...cliArgs], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      PRISMA_TARGET: target,
      PRISMA_SQLITE_URL: `file:${path.join(scratch, 'dev.db')}`,
      DATABASE_URL: pgUrl,
    },
  });
}

/** SQL that takes the committed migrations to the schema; "" when they agree. */
function pendingSql(target) {
  const t = targets[target];
  mkdirSync(path.join(root, t.migrations), { recursive: true });
  const hasMigrations = readdirSync(path.join(root, t.migrations)).some((d) => !d.includes('.'));
  const from = hasMigrations ? ['--from-migrations', t.migrations] : ['--from-empty'];
  const sql = prisma(target, ['migrate', 'diff', ...from, '--to-schema', t.schema, '--script']);
  // The CLI prints this marker when there is nothing to do; no output at all means it failed.
  if (!sql.trim()) throw new Error(`prisma migrate diff printed nothing for ${target}: engine failure`);
  return sql.includes('-- This is an empty migration.') ? '' : sql;
}

function generate(target, outDir) {
  prisma(target, ['generate', '--schema', targets[target].schema]);
  if (outDir) cpSync(path.join(root, targets[target].client), outDir, { recursive: true });
}

try {
  const pgSchemaPath = path.join(root, targets.postgres.schema);
  if (check) {
    const problems = [];
    if (!existsSync(pgSchemaPath) || readFileSync(pgSchemaPath, 'utf8') !== postgresSchema()) {
      problems.push(`${targets.postgres.schema} is stale`);
    }
    for (const target of Object.keys(targets)) {
      if (pendingSql(target)) problems.push(`${targets[target].migrations} lacks a migration for schema changes`);
      const before = snapshot(path.join(root, targets[target].client));
      generate(target);
      if (snapshot(path.join(root, targets[target].client)) !== before) problems.push(`${targets[target].client} is stale`);
    }
    if (problems.length) {
      console.error('db:generate --check failed:\n  ' + problems.join('\n  ') + '\nRun `npm run db:generate` and commit.');
      process.exit(1);
    }
    console.log('database artefacts are current');
  } else {
    writeFileSync(pgSchemaPath, postgresSchema());
    for (const target of Object.keys(targets)) {
      generate(target);
      if (migrationName) {
        const sql = pendingSql(target);
        if (!sql) { console.log(`${target}: no schema changes`); continue; }

        const dir = path.join(root, targets[target].migrations, `${stamp}_${migrationName}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'migration.sql'), sql);
        const lock = path.join(root, targets[target].migrations, 'migration_lock.toml');
        writeFileSync(lock, `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${target === 'postgres' ? 'postgresql' : 'sqlite'}"\n`);
        console.log(`${target}: wrote ${path.relative(root, dir)}`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function snapshot(dir) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [`${path.relative(dir, path.join(d, e.name))}\n${readFileSync(path.join(d, e.name), 'utf8')}`]);
  return existsSync(dir) ? walk(dir).sort().join('\n') : '';
}
