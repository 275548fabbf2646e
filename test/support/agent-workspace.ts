// A plain-directory AgentWorkspace for agent tests where the sandboxed local provider is not
// the subject: files under a temp dir (escapes refused, symlinks included), commands run
// unconfined with bash, snapshots as full copies. Never used outside tests.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExecOptions, ExecResult, Snapshot } from '../../server/workspace/provider.ts';
import type { AgentWorkspace, DirEntry, ToolFiles } from '../../server/agent/tools/tool.ts';

export interface DirWorkspace extends AgentWorkspace { root: string; cleanup(): void }

export function createDirWorkspace(files: Record<string, string> = {}): DirWorkspace {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'tether-agent-ws-')));
  const snapshots = realpathSync(mkdtempSync(path.join(tmpdir(), 'tether-agent-snap-')));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    writeFileSync(path.join(root, p), content);
  }
  let counter = 0;
  return {
    root,
    files: dirFiles(root),
    exec: (command, options) => execIn(root, command, options),
    async snapshot(label): Promise<Snapshot> {
      const id = `snap-${++counter}`;
      cpSync(root, path.join(snapshots, id), { recursive: true });
      return { id, label, createdAt: new Date().toISOString() };
    },
    async restore(id) {
      for (const e of readdirSync(root)) rmSync(path.join(root, e), { recursive: true, force: true });
      cpSync(path.join(snapshots, id), root, { recursive: true });
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
      rmSync(snapshots, { recursive: true, force: true });
    },
  };
}

function dirFiles(root: string): ToolFiles {
  const resolve = async (rel: string, forWrite = false) => {
    const abs = path.resolve(root, rel);
    if (abs !== root && !abs.startsWith(root + path.sep)) throw new Error(`${rel}: outside the workspace`);
    // The deepest existing ancestor must resolve inside the root: a symlink may not lead out.
    let probe = abs;
    for (;;) {
      try {
        const real = await realpath(probe);
        if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`${rel}: outside the workspace`);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !forWrite) throw err;
        probe = path.dirname(probe);
      }
    }
    return abs;
  };
  return {
    readText: async (p) => readFile(await resolve(p), 'utf8'),
    async writeText(p, content) {
      const abs = await resolve(p, true);
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, content);
    },
    async list(p): Promise<DirEntry[]> {
      const abs = await resolve(p);
      const names = await readdir(abs);
      return Promise.all(names.map(async (name) => {
        const s = await lstat(path.join(abs, name));
        return { name, kind: s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other', size: s.size } as DirEntry;
      }));
    },
  };
}

function execIn(root: string, command: string | string[], o: ExecOptions = {}): Promise<ExecResult> {
  const started = Date.now();
  const [file, args]: [string, string[]] = typeof command === 'string' ? ['bash', ['-c', command]] : [command[0]!, command.slice(1)];
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: path.join(root, o.cwd ?? '.'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, ...o.env } as unknown as NodeJS.ProcessEnv, signal: o.signal });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = o.timeoutMs ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutMs) : null;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    if (o.stdin) child.stdin.end(o.stdin); else child.stdin.end();
    const done = (exitCode: number | null, signal: string | null) => {
      if (timer) clearTimeout(timer);
      const max = o.maxOutputBytes ?? Infinity;
      const cap = (s: string) => (s.length > max ? `${s.slice(0, max / 2)}\n[… cut …]\n${s.slice(-max / 2)}` : s);
      resolve({ exitCode, signal, stdout: cap(stdout), stderr: cap(stderr), timedOut, truncated: stdout.length > max || stderr.length > max, durationMs: Date.now() - started });
    };
    child.on('error', (err: NodeJS.ErrnoException) => { stderr += String(err.message); done(err.code === 'ENOENT' ? 127 : 1, null); });
    child.on('close', (code, signal) => done(code, signal));
  });
}
