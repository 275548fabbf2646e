// The spawner: a small Node process the server forks once, which starts every process the server
// runs for workspaces (sandbox chains, mkfs and mount, workspace hosts) and relays their output.
// `child_process.spawn` blocks the calling event loop while the kernel copies the caller's
// address space: from the ~300 MiB server that cost ~95 ms per process and grew with the
// server (docs/benchmarks.md, issue 12); from here it is this process's few MiB, and off the
// server's event loop. Plain JavaScript with no imports beyond Node's, so it starts in
// milliseconds without tsx.
//
// Messages (the parent's IPC channel, 'advanced' serialisation so output stays bytes):
//   ← {t:'spawn', id, argv, cwd, env, stdin, output: 'pipe'|'ignore', stderrFile?}
//   → {t:'spawned', id, pid} | {t:'error', id, message}
//   → {t:'out', id, fd: 1|2, data}   (output: 'pipe' only)
//   → {t:'exit', id, code, signal}   (after its output)
// It ends with the server (the channel closes): the sandboxes it started with --die-with-parent
// end with it, as they did when the server started them; workspace hosts are detached and stay.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** Output messages not yet written to the channel above which a child's output is paused. */
const PAUSE_ABOVE = 64;
const RESUME_BELOW = 16;

let unsent = 0;
const paused = new Set();

function send(message, onSent) {
  if (!process.connected) return;
  process.send(message, undefined, {}, onSent);
}

/** Output is forwarded as fast as the server reads it, never buffered here without bound. */
function forward(id, fd, stream) {
  stream.on('data', (data) => {
    unsent++;
    send({ t: 'out', id, fd, data }, () => {
      unsent--;
      if (unsent < RESUME_BELOW) {
        for (const s of paused) s.resume();
        paused.clear();
      }
    });
    if (unsent > PAUSE_ABOVE) {
      stream.pause();
      paused.add(stream);
    }
  });
}

function start(m) {
  const pipe = m.output === 'pipe';
  let log = null;
  let child;
  try {
    if (m.stderrFile) log = openSync(m.stderrFile, 'w', 0o600);
    // Detached: its own process group, which the server kills as one.
    child = spawn(m.argv[0], m.argv.slice(1), {
      cwd: m.cwd, env: m.env, detached: true, stdio: ['pipe', pipe ? 'pipe' : 'ignore', log ?? (pipe ? 'pipe' : 'ignore')],
    });
  } catch (e) {
    send({ t: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    return;
  } finally {
    if (log !== null) closeSync(log);
  }
  let failed = false;
  child.once('spawn', () => send({ t: 'spawned', id: m.id, pid: child.pid }));
  child.once('error', (e) => {
    failed = true;
    send({ t: 'error', id: m.id, message: e.message });
  });
  if (child.stdout) forward(m.id, 1, child.stdout);
  if (child.stderr) forward(m.id, 2, child.stderr);
  child.stdin.on('error', () => { /* the command may exit without reading its input */ });
  child.stdin.end(m.stdin ?? '');
  child.on('close', (code, signal) => {
    if (!failed) send({ t: 'exit', id: m.id, code, signal });
    for (const s of [child.stdout, child.stderr]) if (s) paused.delete(s);
  });
}

process.on('message', (m) => {
  if (m && m.t === 'spawn') start(m);
});
process.on('disconnect', () => process.exit(0));
