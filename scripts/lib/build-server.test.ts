import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './build-server.mjs';

const root = path.resolve(import.meta.dirname, '..', '..');
// Beside server/, like the real output: packages resolve from node_modules and `..` is the root.
const out = path.join(root, `.tether-server-dist-test-${process.pid}`);
const RELATIVE_IMPORT = /(?:from\s*|import\s*\(\s*|import\s+)"(\.\.?\/[^"]+)"/g;

const outputFiles = () => readdirSync(out, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).map((e) => path.relative(out, path.join(e.parentPath, e.name)));

describe('buildServer', () => {
  beforeAll(async () => { await buildServer(root, out); }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('emits every relative import as a file that exists in the output', () => {
    const missing: string[] = [];
    let imports = 0;
    for (const file of outputFiles().filter((f) => f.endsWith('.js'))) {
      for (const [, spec] of readFileSync(path.join(out, file), 'utf8').matchAll(RELATIVE_IMPORT)) {
        imports++;
        if (!existsSync(path.resolve(out, path.dirname(file), spec!))) missing.push(`${file} → ${spec}`);
      }
    }
    expect(imports).toBeGreaterThan(500);
    expect(missing).toEqual([]);
  });

  it('copies the files modules read beside themselves, and leaves tests out', () => {
    const files = outputFiles();
    for (const f of ['workspace/spawner-process.mjs', 'workspace/host/program.mjs', 'workspace/host/ring-buffer.mjs', 'search/regex-worker.mjs', 'workspace/templates/node-ts/package.json']) {
      expect(files).toContain(f);
    }
    const own = files.filter((f) => !f.startsWith('workspace/templates/'));
    expect(own.filter((f) => /\.test\.(ts|js|mjs)$|__snapshots__/.test(f))).toEqual([]);
    expect(own.filter((f) => f.endsWith('.ts'))).toEqual([]);
  });

  it('copies the workspace templates exactly, their tests and TypeScript included', () => {
    const templates = path.join(root, 'server/workspace/templates');
    const sources = readdirSync(templates, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      .map((e) => path.relative(templates, path.join(e.parentPath, e.name)));
    expect(sources).toContain('node-ts/src/cart.test.mjs');
    for (const f of sources) {
      expect(readFileSync(path.join(out, 'workspace/templates', f), 'utf8')).toBe(readFileSync(path.join(templates, f), 'utf8'));
    }
  });

  it('gives compiled modules the paths the sources compute from their own location', async () => {
    const { VERSION } = await import(path.join(out, 'version.js'));
    expect(VERSION).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    const { migrationDirs } = await import(path.join(out, 'db/migrate.js'));
    expect(readdirSync(migrationDirs.sqlite).length).toBeGreaterThan(0);
  });
});
