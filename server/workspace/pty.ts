// A node-pty terminal whose process is the sandbox chain (see launcher.ts). Killing it kills
// bwrap, whose pid namespace then takes every process of that terminal with it.
import * as nodePty from 'node-pty';
import type { Launch } from './launcher.ts';
import type { SandboxPty } from './provider.ts';

export function spawnSandboxPty(launch: Launch, size: { cols: number; rows: number }, onEnd: () => void): SandboxPty {
  const p = nodePty.spawn(launch.argv[0]!, launch.argv.slice(1), {
    name: 'xterm-256color', cols: size.cols, rows: size.rows, cwd: launch.cwd, env: launch.env,
  });
  let exited = false;
  p.onExit(() => { exited = true; onEnd(); });
  return {
    pid: p.pid,
    onData: (l) => p.onData(l),
    onExit: (l) => p.onExit(l),
    write: (d) => { if (!exited) p.write(d); },
    resize: (c, r) => { if (!exited) p.resize(Math.max(1, c), Math.max(1, r)); },
    pause: () => p.pause(),
    resume: () => p.resume(),
    kill: () => {
      if (exited) return;
      try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
    },
  };
}
