#!/usr/bin/env node
// `npm start`: on a fresh clone, installs what is missing, builds, migrates and serves.
// `npm run dev`: the same with hot reload (no build).
import { spawn } from 'node:child_process';
import { ensureBuild, ensureDependencies, ensureServerBuild, ensureSystemPackages, nodeVersionOk, root, step } from './lib/bootstrap.mjs';
import { SERVER_OUT } from './lib/build-server.mjs';
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
const child = spawn(process.execPath, dev ? ['--import', 'tsx', 'server/main.ts'] : [`${SERVER_OUT}/main.js`], {
  cwd: root,
  stdio: 'inherit',
  env: {
    // glibc keeps up to 8 malloc arenas per core and returns freed memory lazily: after start-up
    // ~100 MiB of the idle server was freed-but-kept arena memory (docs/benchmarks.md, issue 12).
    // An operator's own settings win.
    MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072',
    ...process.env, NODE_ENV: dev ? 'development' : 'production',
  },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
