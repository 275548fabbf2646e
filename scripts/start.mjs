#!/usr/bin/env node
// `npm start`: on a fresh clone, installs what is missing, builds, migrates and serves.
// `npm run dev`: the same with hot reload (no build).
import { spawn } from 'node:child_process';
import { ensureBuild, ensureDependencies, ensureServerBuild, ensureSystemPackages, nodeVersionOk, root, step } from './lib/bootstrap.mjs';
import { PRODUCTION_MALLOC_ENV, PRODUCTION_NODE_ARGS } from './lib/server-command.mjs';
import { buildMonacoWorker } from './lib/build-worker.mjs';

const dev = process.argv.includes('--dev');
nodeVersionOk();
ensureDependencies();
if (process.env.TETHER_UNSAFE_NO_SANDBOX !== '1') ensureSystemPackages({ bwrap: 'bubblewrap', prlimit: 'util-linux', setpriv: 'util-linux', 'mkfs.ext4': 'e2fsprogs', mount: 'mount', socat: 'socat' });
if (dev) await buildMonacoWorker(root);
else {
  ensureBuild();
  await ensureServerBuild();
}

step(dev ? 'Starting Tether (development)' : 'Starting Tether');
// Production runs the compiled server (build-server.mjs); development runs the sources through tsx.
const child = spawn(process.execPath, dev ? ['--import', 'tsx', 'server/main.ts'] : PRODUCTION_NODE_ARGS, {
  cwd: root,
  stdio: 'inherit',
  env: { ...PRODUCTION_MALLOC_ENV, ...process.env, NODE_ENV: dev ? 'development' : 'production' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
