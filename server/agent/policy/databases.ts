// Database clients and tools: a visible statement that drops, truncates or deletes data is high,
// and so is SQL the line does not show (a file, a pipe, a run-time string); prisma's resets too.
import { hasFlag, only, operands, values, type Judge, type ProgramContext, type ProgramEffect } from './judge.ts';
import { high, medium } from './risk.ts';
import type { Word } from './shell-parse.ts';

/** SQL longer than this is not scanned: it is high. */
const MAX_SQL_CHARS = 20_000;

const DB_CLIENTS = new Set(['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlcmd', 'mongo', 'mongosh', 'redis-cli', 'cqlsh', 'clickhouse-client', 'cockroach', 'duckdb', 'pg_restore', 'dropdb', 'dropuser']);

const DESTRUCTIVE_SQL = /\b(drop\s+(table|database|schema|index|view|user|role|owned|extension|function|trigger|sequence|type|column|materialized|collection)|truncate|dropdatabase|flushall|flushdb|\.drop\s*\()|\bdelete\s+from\b(?![^;]*\bwhere\b)|\balter\s+table\b[^;]*\bdrop\b/i;

/** Framework tasks that wipe a database. */
export const DB_WIPE_TASKS = /^(db:(drop|reset|purge|schema:load|setup|migrate:reset|truncate_all)|migrate:(reset|fresh|refresh|rollback)|schema:drop|flush|reset_db|sqlflush|dbshell|db:seed:undo:all|drop)$/;

function prisma(_name: string, args: Word[]): ProgramEffect {
  const v = values(args);
  if (v.includes('migrate') && v.includes('reset')) return only(high('prisma migrate reset drops the database'));
  if (v.includes('db') && v.includes('push') && (v.includes('--force-reset') || v.includes('--accept-data-loss'))) return only(high('prisma db push --force-reset / --accept-data-loss destroys data'));
  if (v.includes('db') && v.includes('execute')) return only(high('prisma db execute runs raw SQL'));
  if (v.includes('migrate') && (v.includes('deploy') || v.includes('dev'))) return only(medium('prisma applies migrations'));
  return only(medium(`prisma ${v.join(' ')}`));
}

function dbClient(name: string, args: Word[], ctx: ProgramContext): ProgramEffect {
  if (name === 'dropdb' || name === 'dropuser') return only(high(`${name} deletes a database or role`));
  const sql: (string | null)[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === '-c' || v === '--command' || v === '-e' || v === '--execute' || v === '--eval') sql.push(args[i + 1]?.value ?? null);
    else if (v !== null && /^--(command|execute|eval)=/.test(v)) sql.push(v.slice(v.indexOf('=') + 1));
  }
  if (name === 'sqlite3' || name === 'duckdb') sql.push(...operands(args).slice(1).map((o) => o.value));
  if (name === 'redis-cli') sql.push(operands(args).map((o) => o.value).join(' '));
  if (ctx.stdin === 'heredoc' || ctx.stdin === 'herestring') sql.push(ctx.stdinText);
  if (ctx.stdin === 'pipe' || ctx.stdin === 'file' || hasFlag(args, ['--file'], '') || args.some((a) => a.value === '-f')) return only(high(`${name} runs SQL from a file or pipe, which cannot be checked`));
  if (sql.some((s) => s === null)) return only(high(`${name} runs SQL computed at run time`));
  if (sql.some((s) => s!.length > MAX_SQL_CHARS)) return only(high(`${name} is given more SQL than the policy checks`));
  if (sql.some((s) => DESTRUCTIVE_SQL.test(s!))) return only(high(`${name} runs a statement that drops, truncates or deletes data`));
  return only(medium(`${name} talks to a database`));
}

export const DATABASES: Record<string, Judge> = { prisma };
for (const d of DB_CLIENTS) DATABASES[d] = dbClient;
