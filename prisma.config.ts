// Prisma CLI configuration (development and CI only: the app itself never runs the CLI).
// PRISMA_TARGET=postgres switches to the generated PostgreSQL schema and DATABASE_URL.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { defineConfig } from 'prisma/config';

// The CLI downloads a native schema engine at start-up, which fails offline; the shared
// stand-in runs Prisma's own wasm engine instead. It must be set before the CLI looks.
const offlineEngine = path.resolve('..', 'shared', 'tools', 'prisma-offline-engine.mjs');
if (existsSync(offlineEngine)) process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= offlineEngine;

const postgres = process.env.PRISMA_TARGET === 'postgres';

export default defineConfig({
  schema: postgres ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  migrations: { path: postgres ? 'prisma/postgres/migrations' : 'prisma/migrations' },
  datasource: {
    url: postgres
      ? (process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test')
      : (process.env.PRISMA_SQLITE_URL ?? 'file:./data/prisma-dev.db'),
  },
});
