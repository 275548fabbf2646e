#!/usr/bin/env node
// `npm test`: on a fresh clone, installs what the tests need, then runs every check in order:
// database artefacts, type-check, lint, unit/integration, build, shipped-artefact scan, end-to-end.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureBuild, ensureDependencies, ensureSystemPackages, nodeVersionOk, root, step } from './lib/bootstrap.mjs';

nodeVersionOk();
ensureDependencies();
ensureSystemPackages({ bwrap: 'bubblewrap', chromium: 'chromium', rg: 'ripgrep', git: 'git', 'mkfs.ext4': 'e2fsprogs', mount: 'mount', socat: 'socat', curl: 'curl', openssl: 'openssl' });

const results = [];
function check(title, fn) {
  step(title);
  const started = Date.now();
  const ok = fn();
  results.push({ title, ok, seconds: (Date.now() - started) / 1000 });
  if (!ok) finish();
}
const npx = (...args) => spawnSync('npx', ['--no-install', ...args], { cwd: root, stdio: 'inherit', env: process.env }).status === 0;
const node = (...args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env }).status === 0;

function finish() {
  console.log('\nSummary');
  for (const r of results) console.log(`  ${r.ok ? '✔' : '✖'} ${r.title} (${r.seconds.toFixed(1)} s)`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// The schema check needs the Prisma CLI's offline engine from ../shared (developers and CI only).
if (existsSync(path.resolve(root, '..', 'shared', 'tools', 'prisma-offline-engine.mjs'))) {
  check('Database schema, migrations and generated clients are current', () => node('scripts/db-generate.mjs', '--check'));
} else {
  console.log('\n(skipping the schema drift check: ../shared/tools/prisma-offline-engine.mjs is not here)');
}
check('Type-check', () => npx('tsc', '--noEmit', '-p', 'tsconfig.json'));
check('Lint', () => npx('eslint', '--max-warnings', '0', '.'));
check(`Unit and integration tests${process.env.TEST_DATABASE_URL ? ' (SQLite and PostgreSQL)' : ' (SQLite)'}`, () => npx('vitest', 'run'));
check('Production build', () => { ensureBuild({ force: true }); return true; });
check('Shipped artefacts are clean', () => node('scripts/check-artifacts.mjs'));
check('End-to-end tests (Playwright, Chromium)', () => npx('playwright', 'test'));
finish();
