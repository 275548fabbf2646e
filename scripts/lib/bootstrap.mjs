// Set-up steps shared by `npm start` and `npm test`. Node built-ins only: this runs before
// node_modules exists on a fresh clone.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildServer, SERVER_OUT } from './build-server.mjs';

export const root = path.resolve(import.meta.dirname, '..', '..');

export function step(title) {
  process.stdout.write(`\n▶ ${title}\n`);
}

/** Runs a command in the project root, inheriting output; exits the process when it fails. */
export function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

const quietEnv = {
  NEXT_TELEMETRY_DISABLED: '1',
  CHECKPOINT_DISABLE: '1',
  // node-gyp builds node-pty and better-sqlite3 against the local Node headers, offline.
  ...(existsSync('/usr/include/node/node.h') ? { npm_config_nodedir: '/usr' } : {}),
};
Object.assign(process.env, quietEnv);

const digest = (...parts) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** npm ci when node_modules is missing or was installed from another lockfile. */
export function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.tether-lock-digest');
  const want = digest(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  step('Installing dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(marker, want);
}

const which = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim() || null;

/** Debian packages the product needs (bubblewrap for the sandbox, chromium for e2e tests). */
export function ensureSystemPackages(packages) {
  const missing = Object.entries(packages).filter(([bin]) => !which(bin)).map(([, pkg]) => pkg);
  if (!missing.length) return;
  if (!which('apt-get') || process.getuid?.() !== 0) {
    console.error(`Missing system packages: ${missing.join(', ')}. Install them (e.g. apt-get install ${missing.join(' ')}) and retry.`);
    process.exit(1);
  }
  step(`Installing system packages: ${missing.join(', ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
}

/** `skip`: generated outputs inside the entries (their inputs are listed instead). */
function treeDigest(entries, skip = []) {
  const files = [];
  const skipped = new Set(skip.map((e) => path.join(root, e)));
  const walk = (p) => {
    if (!existsSync(p) || skipped.has(p)) return;
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e));
    else files.push(`${path.relative(root, p)}\0${readFileSync(p, 'utf8')}`);
  };
  for (const e of entries) walk(path.join(root, e));
  return digest(...files);
}

/** What the Next build depends on: the UI, the contracts it imports, and the toolchain. */
const BUILD_INPUTS = ['app', 'instrumentation-client.ts', 'public', 'next.config.mjs', 'package-lock.json', 'tsconfig.json', 'server/api', 'server/realtime/protocol.ts', 'server/sessions/event-types.ts', 'scripts/lib/build-worker.mjs'];
/**
 * Written by the build itself (build-worker.mjs): counted, it made the digest taken before a
 * fresh clone's first build differ from every later one, so the next check built again.
 */
const BUILD_OUTPUTS = ['public/monaco'];

/** The Next build's inputs as one digest: the build is current when it matches the last build's. */
export const buildInputsDigest = () => treeDigest(BUILD_INPUTS, BUILD_OUTPUTS);

export function ensureBuild({ force = false } = {}) {
  const marker = path.join(root, '.next', 'cache', 'tether-inputs-digest');
  const want = buildInputsDigest();
  if (!force && existsSync(path.join(root, '.next', 'BUILD_ID')) && existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  step('Building the web app (next build)');
  run(process.execPath, ['-e', `import(${JSON.stringify(path.join(root, 'scripts/lib/build-worker.mjs'))}).then((m) => m.buildMonacoWorker(${JSON.stringify(root)}))`]);
  run('npx', ['--no-install', 'next', 'build']);
  // Build traces and generated route types name paths on the build machine: not for shipping.
  for (const leftover of ['trace', 'trace-build', 'types', 'diagnostics']) rmSync(path.join(root, '.next', leftover), { recursive: true, force: true });
  writeFileSync(marker, want);
}

/** What the compiled server depends on: its sources, the compiler's settings, and the toolchain. */
const SERVER_BUILD_INPUTS = ['server', 'scripts/lib/build-server.mjs', 'package-lock.json'];

/** Compiles server/ to plain JavaScript (build-server.mjs) when the sources changed since the last time. */
export async function ensureServerBuild({ force = false } = {}) {
  const marker = path.join(root, SERVER_OUT, '.inputs-digest');
  const want = treeDigest(SERVER_BUILD_INPUTS);
  if (!force && existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  step('Compiling the server');
  await buildServer(root);
  writeFileSync(marker, want);
}

export function nodeVersionOk() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Tether needs Node.js 20.19 or newer; this is ${process.versions.node}.`);
    process.exit(1);
  }
}

export { execFileSync };
