// Provisioning and checkpoints through the real sandbox.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvisionError } from './provision.ts';
import { tempProvider, uidBase } from './testing.ts';

let env: Awaited<ReturnType<typeof tempProvider>>;
let repo: string;
const base = uidBase();

beforeAll(async () => {
  env = await tempProvider();
  repo = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-repo-'));
  await fs.chmod(repo, 0o755);
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args]);
  git('init', '-q');
  await fs.writeFile(path.join(repo, 'hello.txt'), 'from the repo\n');
  git('add', '.');
  git('commit', '-qm', 'first');
});
afterAll(async () => {
  await env.cleanup();
  await fs.rm(repo, { recursive: true, force: true });
});

const workspaceDir = (id: string) => path.join(env.provider.storageDir, 'volumes', id, 'files');

describe('provisioning', () => {
  it('creates from the node-ts template, whose tests pass offline in the sandbox', async () => {
    const ws = await env.provider.create({ id: 'tpl', source: { kind: 'template', template: 'node-ts' }, networkAllowed: false, uid: base + 1 });
    // Copied without a workspace host: none was started just for that (issue 12: each one idled for 10 minutes).
    const place = path.join(env.provider.storageDir, 'hosts', createHash('sha256').update('tpl').digest('hex').slice(0, 12));
    await expect(fs.stat(path.join(place, 'pid'))).rejects.toThrow(/ENOENT/);
    expect((await fs.stat(path.join(workspaceDir('tpl'), 'package.json'))).uid).toBe(base + 1);
    expect((await fs.stat(path.join(workspaceDir('tpl'), 'src', 'cart.mjs'))).uid).toBe(base + 1);
    expect((await fs.stat(workspaceDir('tpl'))).mode & 0o777).toBe(0o700);
    const r = await ws.exec('npm test', { timeoutMs: 30_000 });
    expect(r.stdout).toMatch(/# pass 3/);
    expect(r.exitCode).toBe(0);
    // npm keeps its cache and logs out of the workspace.
    expect((await ws.files.list()).map((e) => e.name).sort()).toEqual(['README.md', 'package.json', 'src', 'tsconfig.json']);
  });

  it('clones a server-local repository as the workspace uid, reporting progress', async () => {
    const progress: string[] = [];
    const ws = await env.provider.create({ id: 'clone', source: { kind: 'git', url: repo }, networkAllowed: false, uid: base + 2 }, (m) => progress.push(m));
    expect(progress[0]).toBe(`Cloning ${repo}`);
    expect(progress.at(-1)).toBe('Clone complete');
    const r = await ws.files.read('hello.txt');
    expect(r.kind === 'text' && r.content).toBe('from the repo\n');
    expect((await fs.stat(path.join(workspaceDir('clone'), '.git', 'HEAD'))).uid).toBe(base + 2);
  });

  it('fails clearly and leaves nothing behind', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/nonexistent/repo', /No git repository at \/nonexistent\/repo/],
      [os.tmpdir(), /Not a git repository, or not accessible/],
      ['https://tether-test.invalid/x.git', /Cannot reach https:\/\/tether-test\.invalid\/x\.git/],
      ['ext::sh -c touch% /tmp/pwned', /Invalid workspace spec/],
    ];
    for (const [url, message] of cases) {
      const p = env.provider.create({ id: 'bad', source: { kind: 'git', url }, networkAllowed: false, uid: base + 3 });
      await expect(p).rejects.toThrow(message);
      await expect(fs.access(workspaceDir('bad'))).rejects.toThrow();
      expect(await env.provider.ids()).not.toContain('bad');
    }
    await expect(env.provider.create({ id: 'bad', source: { kind: 'template', template: 'nope' }, networkAllowed: false, uid: base + 3 }))
      .rejects.toBeInstanceOf(ProvisionError);
    await expect(fs.access(workspaceDir('bad'))).rejects.toThrow();
  });

  it('refuses to create over an existing workspace without touching it', async () => {
    await expect(env.provider.create({ id: 'tpl', source: { kind: 'empty' }, networkAllowed: false, uid: base + 1 })).rejects.toThrow(/already exists/);
    expect((await fs.stat(path.join(workspaceDir('tpl'), 'package.json'))).isFile()).toBe(true);
  });
});

describe('snapshots', () => {
  it('restores the tree, keeps the workspace .git untouched and later snapshots reachable', async () => {
    const ws = await env.provider.open({ id: 'clone', source: { kind: 'empty' }, networkAllowed: false, uid: base + 2 });
    const gitHead = await fs.readFile(path.join(workspaceDir('clone'), '.git', 'HEAD'), 'utf8');
    const s1 = await ws.snapshot('before edits');
    await ws.files.write('hello.txt', 'edited\n');
    await ws.files.write('new.txt', 'new\n');
    const s2 = await ws.snapshot('after edits');
    await ws.restore(s1.id);
    expect((await ws.files.list()).map((e) => e.name).sort()).toEqual(['.git', 'hello.txt']);
    const r = await ws.files.read('hello.txt');
    expect(r.kind === 'text' && r.content).toBe('from the repo\n');
    await ws.restore(s2.id);
    const n = await ws.files.read('new.txt');
    expect(n.kind === 'text' && n.content).toBe('new\n');
    expect(await fs.readFile(path.join(workspaceDir('clone'), '.git', 'HEAD'), 'utf8')).toBe(gitHead);
    expect((await ws.exec('git status --porcelain')).stdout).toBe(' M hello.txt\n?? new.txt\n');
    await expect(ws.restore('not-a-sha')).rejects.toThrow(/Unknown snapshot/);
  });

  it("preserves the workspace's own repository: a deleted or rewritten .git comes back with its unpushed commits", async () => {
    const ws = await env.provider.create({ id: 'rescue', source: { kind: 'git', url: repo }, networkAllowed: false, uid: base + 4 });
    const sh = async (cmd: string) => {
      const r = await ws.exec(`git -c user.name=w -c user.email=w@w ${cmd}`);
      if (r.exitCode !== 0) throw new Error(`${cmd}: ${r.stderr}`);
      return r.stdout.trim();
    };
    await sh('checkout -qb feature');
    await ws.files.write('feature.txt', 'unpushed work\n');
    await sh('add feature.txt');
    await sh('commit -qm "unpushed work"');
    const head = await sh('rev-parse HEAD');
    const refs = await sh('for-each-ref --format="%(refname) %(objectname)"');
    const origin = await sh('remote get-url origin');
    const cp = await ws.snapshot('before the agent step');

    // The step deletes the repository outright.
    expect((await ws.exec('rm -rf .git')).exitCode).toBe(0);
    await ws.snapshot('after the deletion');
    await ws.restore(cp.id);
    expect(await sh('rev-parse HEAD')).toBe(head);
    expect(await sh('symbolic-ref HEAD')).toBe('refs/heads/feature');
    expect(await sh('for-each-ref --format="%(refname) %(objectname)"')).toBe(refs);
    expect(await sh('log --format=%s')).toBe('unpushed work\nfirst');
    expect(await sh('remote get-url origin')).toBe(origin);
    expect(await sh('status --porcelain')).toBe('');
    expect(await sh('fsck --no-progress')).toBe('');

    // The step rewrites history, adds a branch, and plants a hook and an fsmonitor command for
    // the rewind to trip over: the rewind puts the refs back as they were and runs neither.
    await sh('commit -q --amend -m rewritten');
    await sh('branch stray');
    await sh('checkout -q --detach');
    for (const [file, marker] of [['.git/hooks/reference-transaction', 'hook-ran'], ['.git/monitor.sh', 'fsmonitor-ran']]) {
      expect((await ws.exec(`printf '#!/bin/sh\\ntouch /workspace/${marker}\\n' > ${file} && chmod +x ${file}`)).exitCode).toBe(0);
    }
    await sh('config core.fsmonitor .git/monitor.sh');
    await ws.restore(cp.id);
    expect((await ws.files.list()).map((e) => e.name).sort()).toEqual(['.git', 'feature.txt', 'hello.txt']);
    expect(await sh('symbolic-ref HEAD')).toBe('refs/heads/feature');
    expect(await sh('for-each-ref --format="%(refname) %(objectname)"')).toBe(refs);
    expect(await sh('log -1 --format=%s')).toBe('unpushed work');
    // A checkpoint of an unchanged repository does not copy it again.
    const store = (await env.provider.paths('rescue'))!.checkpoints;
    const saved = () => execFileSync('git', ['--git-dir', store, 'for-each-ref', '--format=%(refname)', 'refs/workspace-repo/']).toString().split('\n').filter((l) => l.endsWith('/meta/HEAD')).length;
    const before = saved();
    await ws.snapshot('again');
    await ws.snapshot('and again');
    expect(saved()).toBe(before);
  });
});
