// Idle memory (issue 12): the modules the server needs to serve must not load libraries that only
// a later action uses (argon2 with the first password check, pg with a PostgreSQL migration).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/** The CommonJS packages a fresh process has loaded after importing these server modules. */
function packagesLoadedBy(modules: string[]): string[] {
  const script = `for (const m of ${JSON.stringify(modules)}) await import(m);
    const { createRequire } = await import('node:module');
    console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  const files: string[] = JSON.parse(out.trim().split('\n').at(-1)!);
  return [...new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]).filter((p): p is string => !!p))];
}

describe('start-up imports', () => {
  it('leave argon2 and pg to first use', () => {
    const loaded = packagesLoadedBy(['./server/http.ts', './server/services.ts', './server/db/migrate.ts', './server/db/client.ts']);
    expect(loaded).toContain('better-sqlite3');
    expect(loaded.filter((p) => p.startsWith('@node-rs/argon2') || p === 'pg')).toEqual([]);
  }, 60_000);
});
