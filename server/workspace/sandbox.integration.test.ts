// The sandbox battery: each attempt runs through node-pty like a terminal and asserts the
// specific way it fails.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalProvider } from './local-provider.ts';
import type { Workspace } from './provider.ts';
import { runInPty, tempProvider, TEST_LIMITS, uidBase } from './testing.ts';
import { pidsOfUid } from './uid-processes.ts';

let env: Awaited<ReturnType<typeof tempProvider>>;
let provider: LocalProvider;
let a: Workspace;
let b: Workspace;
const base = uidBase();
const uidA = base + 1;
const uidB = base + 2;

beforeAll(async () => {
  env = await tempProvider();
  provider = env.provider;
  a = await provider.create({ id: 'ws-a', source: { kind: 'empty' }, networkAllowed: false, uid: uidA });
  b = await provider.create({ id: 'ws-b', source: { kind: 'empty' }, networkAllowed: false, uid: uidB });
  await b.files.write('secret.txt', 'b-only');
});
afterAll(async () => env.cleanup());

describe('sandbox confinement', () => {
  it('reports a confined sandbox', () => {
    expect(provider.capabilities().confined).toBe(true);
  });

  it('runs as the workspace uid with the workspace at /workspace', async () => {
    const r = await runInPty(a, 'id -u; pwd; echo hi > mine.txt');
    expect(r.output).toContain(`${uidA}`);
    expect(r.output).toContain('/workspace');
    const st = await fs.stat(path.join((await provider.paths('ws-a'))!.files, 'mine.txt'));
    expect(st.uid).toBe(uidA);
  });

  it('cannot read /etc/shadow or the data dir', async () => {
    const r = await runInPty(a, `cat /etc/shadow; ls ${env.dataDir}; cat ${(await provider.paths('ws-b'))!.files}/secret.txt`);
    expect(r.output).toMatch(/cat: \/etc\/shadow: No such file or directory/);
    expect(r.output).toContain(`ls: cannot access '${env.dataDir}': No such file or directory`);
    expect(r.output).not.toContain('b-only');
  });

  it("sees the host's programs' /etc but none of its users or keys", async () => {
    const r = await runInPty(a, 'whoami; awk "BEGIN { print 6 * 7 }"; test -s /etc/ssl/certs/ca-certificates.crt && echo CA-OK; ls /etc/ssl/private; grep -c . /etc/passwd; getent hosts localhost');
    expect(r.output).toContain('tether'); // the workspace's own passwd, bound over the copy's placeholder
    expect(r.output).toContain('42'); // awk resolves through /etc/alternatives
    expect(r.output).toContain('CA-OK');
    expect(r.output).toMatch(/ls: cannot access '\/etc\/ssl\/private': No such file or directory/);
    expect(r.output).toMatch(/^3\r?$/m);
    // Without a network too, a test's own server on the sandbox's loopback is reached by name.
    expect(r.output).toMatch(/(127\.0\.0\.1|::1)\s+localhost/);
  });

  it('cannot write outside /workspace', async () => {
    const r = await runInPty(a, 'touch /usr/evil; touch /evil; touch /etc/evil; mkdir /proc/evil; echo tmp > /tmp/private && cat /tmp/private');
    expect(r.output).toMatch(/touch: cannot touch '\/usr\/evil': Read-only file system/);
    expect(r.output).toMatch(/touch: cannot touch '\/evil': Read-only file system/);
    expect(r.output).toMatch(/touch: cannot touch '\/etc\/evil': Read-only file system/);
    expect(r.output).toContain('tmp');
    await expect(fs.access('/usr/evil')).rejects.toThrow();
    await expect(fs.access('/tmp/private')).rejects.toThrow();
  });

  it('cannot connect to a server on the host loopback', async () => {
    let connections = 0;
    const server = net.createServer((s) => { connections++; s.end('hello'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await runInPty(a, `exec 3<>/dev/tcp/127.0.0.1/${port} && echo CONNECTED`);
      expect(r.output).not.toContain('CONNECTED');
      expect(r.output).toMatch(/Connection refused|Network is unreachable/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('cuts a 2 GB write at the file-size limit', async () => {
    const r = await runInPty(a, 'head -c 2G /dev/zero > big; echo "exit=$?"; stat -c %s big');
    expect(r.output).toMatch(/File size limit exceeded/);
    expect(r.output).toMatch(/exit=153/); // 128 + SIGXFSZ
    expect(r.output).toContain(String(TEST_LIMITS.fileSizeBytes));
    await a.files.delete('big');
  });

  it('contains a fork bomb while the server stays responsive', async () => {
    let maxLag = 0;
    let last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 10);
      last = now;
    }, 10);
    try {
      const r = await runInPty(a, 'bomb() { bomb | bomb & }; bomb; sleep 2; echo SURVIVED', 3_000);
      expect(r.output).toMatch(/Resource temporarily unavailable/);
      expect(maxLag).toBeLessThan(500);
      expect((await pidsOfUid(uidA)).length).toBeLessThanOrEqual(TEST_LIMITS.processes);
    } finally {
      clearInterval(tick);
      await a.killAll();
    }
    expect(await pidsOfUid(uidA)).toEqual([]);
  });

  it("cannot see another workspace's processes", async () => {
    const sleeper = b.exec('exec sleep 300', { timeoutMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect((await pidsOfUid(uidB)).length).toBeGreaterThan(0);
      const r = await runInPty(a, 'ls /proc | grep -E "^[0-9]+$" | wc -l; ps -eo user,cmd');
      expect(r.output).not.toContain('sleep 300');
      // bwrap's init, the workspace host, bash, ls/ps and the pipe: a handful, never the server's processes.
      expect(Number(/^\s*(\d+)/m.exec(r.output)?.[1])).toBeLessThan(10);
    } finally {
      await b.killAll();
      await sleeper;
    }
  });

  it('killAll leaves no process behind, including setsid and nohup ones', async () => {
    const { pty } = await a.openPty({ id: randomUUID(), cols: 80, rows: 24 }, { onData() {}, onExit() {}, onLost() {} });
    pty.write('setsid sleep 1000 & nohup sleep 1001 >/dev/null 2>&1 & disown\r');
    const bg = a.exec('setsid sleep 1002 & sleep 1003', { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect((await pidsOfUid(uidA)).length).toBeGreaterThan(3);
    await a.killAll();
    expect(await pidsOfUid(uidA)).toEqual([]);
    expect((await bg).exitCode).not.toBe(0);
  });

  it('destroy kills the processes and removes every trace', async () => {
    const c = await provider.create({ id: 'ws-c', source: { kind: 'empty' }, networkAllowed: false, uid: base + 3 });
    await c.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'sleep 1000 & exec sleep 1001'] }, { onData() {}, onExit() {}, onLost() {} });
    await c.snapshot('x');
    await new Promise((r) => setTimeout(r, 200));
    const paths = (await provider.paths('ws-c'))!;
    await provider.destroy('ws-c');
    expect(await pidsOfUid(base + 3)).toEqual([]);
    for (const p of [paths.volume, paths.files, paths.etc, paths.checkpoints, paths.image]) {
      if (p) await expect(fs.access(p)).rejects.toThrow();
    }
    expect(await provider.ids()).not.toContain('ws-c');
  });
});

describe('exec', () => {
  it('times out and kills the whole process tree', async () => {
    const r = await a.exec('sleep 100 & setsid sleep 101 & sleep 102', { timeoutMs: 400 });
    expect(r.timedOut).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
    expect(await pidsOfUid(uidA)).toEqual([]);
  });

  it('caps output keeping the head and the tail', async () => {
    const r = await a.exec('echo START; head -c 300000 /dev/zero | tr "\\0" x; echo; echo END', { maxOutputBytes: 1000 });
    expect(r.truncated).toBe(true);
    expect(r.stdout.startsWith('START')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('END')).toBe(true);
    expect(r.stdout).toMatch(/bytes of output omitted/);
    expect(r.stdout.length).toBeLessThan(1200);
  });

  it('passes stdin, env and cwd', async () => {
    await a.files.createDir('sub');
    const r = await a.exec(['/bin/sh', '-c', 'pwd; echo $GREETING; cat'], { cwd: 'sub', env: { GREETING: 'hej' }, stdin: 'from-stdin' });
    expect(r.stdout).toBe('/workspace/sub\nhej\nfrom-stdin');
    expect(r.exitCode).toBe(0);
  });
});
