// The kubernetes provider against a stand-in API server (stub-api-server.ts): the real client
// library makes real HTTP requests and exec WebSockets, and exec'd commands run here, in a
// temporary directory standing for the pod's workspace volume.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileError } from '../file-errors.ts';
import { silentLog } from '../testing.ts';
import { claimManifest, clonePolicyManifest, networkPolicyManifest, podManifest, snapshotClaimManifest, snapshotClaimName, workspaceObjectName } from './manifests.ts';
import { CLONE_SCRIPT } from './pod-clone.ts';
import { createKubernetesProvider, type KubernetesProvider } from './provider.ts';
import type { KubernetesSettings } from './settings.ts';
import { startStubApiServer, STUB_TOKEN, type StubOptions } from './stub-api-server.ts';

type Stub = Awaited<ReturnType<typeof startStubApiServer>>;
let dir: string;
/** Beside the workspace volume: the snapshot claim's mount, and repositories to clone. */
let outside: string;
let stub: Stub;
let daemon: ChildProcess | undefined;
let settings: KubernetesSettings;

async function providerOn(options?: StubOptions): Promise<KubernetesProvider> {
  await stub?.close();
  stub = await startStubApiServer(options);
  return createKubernetesProvider({ settings, log: silentLog, configure: (kc) => stub.configure(kc), podStartTimeoutMs: 5_000 });
}

const spec = (id: string, networkAllowed = false) => ({ id, uid: 200_001, networkAllowed, source: { kind: 'empty' } as const });
/** What the API saw, without the exec sockets. */
const calls = () => stub.requests.filter((r) => !r.method.startsWith('GET (upgrade)')).map((r) => `${r.method} ${r.path}`);

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-k8s-test-'));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-k8s-outside-'));
  settings = {
    namespace: 'tether-ws', image: 'registry.example/workspace:1', storageClass: null,
    cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' }, disk: '10Gi', mountPath: dir,
    snapshotDisk: '5Gi', snapshotPath: path.join(outside, 'tether-snapshots.git'),
  };
  // The snapshot claim, mounted where the pod mounts it.
  await fs.mkdir(settings.snapshotPath);
});

afterEach(async () => {
  daemon?.kill();
  daemon = undefined;
  await stub?.close();
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

describe('kubernetes provider: objects', () => {
  it('creates the claims, then the deny-egress policy, then the pod, and waits for it to run', async () => {
    const provider = await providerOn();
    const progress: string[] = [];
    await provider.create(spec('ws1'), (m) => progress.push(m));
    const name = workspaceObjectName('ws1');
    expect(calls()).toEqual([
      'POST /api/v1/namespaces/tether-ws/persistentvolumeclaims',
      'POST /api/v1/namespaces/tether-ws/persistentvolumeclaims',
      'POST /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies',
      'POST /api/v1/namespaces/tether-ws/pods',
      `GET /api/v1/namespaces/tether-ws/pods/${name}`,
      `GET /api/v1/namespaces/tether-ws/pods/${name}`,
    ]);
    expect(stub.requests.every((r) => r.authorization === `Bearer ${STUB_TOKEN}`)).toBe(true);
    expect(stub.requests[0]!.body).toEqual(claimManifest('ws1', settings));
    expect(stub.requests[1]!.body).toEqual(snapshotClaimManifest('ws1', settings));
    expect(stub.requests[2]!.body).toEqual(networkPolicyManifest('ws1', false));
    expect(stub.requests[3]!.body).toEqual(podManifest('ws1', 200_001, settings));
    const pod = podManifest('ws1', 200_001, settings).spec!;
    expect(pod.containers.map((c) => [c.name, c.volumeMounts!.map((m) => `${m.name}:${m.mountPath}`)])).toEqual([
      ['workspace', [`files:${dir}`, 'tmp:/tmp']],
      ['checkpoints', [`files:${dir}`, `snapshots:${settings.snapshotPath}`, 'checkpoints-tmp:/tmp']],
    ]);
    expect(pod.volumes!.filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim!.claimName)).toEqual([name, snapshotClaimName('ws1')]);
    expect(progress).toEqual(['Creating the workspace pod', 'Waiting for the workspace pod: ContainerCreating']);
  });

  it('opens an existing workspace without duplicating anything, and turning the network on replaces the policy', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    await provider.create(spec('ws2'), undefined);
    stub.requests.length = 0;
    await provider.open(spec('ws2', true));
    const name = workspaceObjectName('ws2');
    expect(calls()).toEqual([
      'POST /api/v1/namespaces/tether-ws/persistentvolumeclaims',
      'POST /api/v1/namespaces/tether-ws/persistentvolumeclaims',
      'POST /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies',
      `GET /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies/${name}`,
      `PUT /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies/${name}`,
      'POST /api/v1/namespaces/tether-ws/pods',
      `GET /api/v1/namespaces/tether-ws/pods/${name}`,
    ]);
    expect([...stub.objects.keys()].sort()).toEqual([
      `networkpolicies/tether-ws/${name}`, `persistentvolumeclaims/tether-ws/${name}`, `persistentvolumeclaims/tether-ws/${name}-snapshots`, `pods/tether-ws/${name}`,
    ]);
    const policy = stub.objects.get(`networkpolicies/tether-ws/${name}`) as ReturnType<typeof networkPolicyManifest>;
    expect(policy.spec).toEqual(networkPolicyManifest('ws2', true).spec);
  });

  it('destroy deletes the pod, the policy and both claims, and is idempotent', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    await provider.create(spec('ws3'), undefined);
    stub.requests.length = 0;
    await provider.destroy('ws3');
    await provider.destroy('ws3');
    const name = workspaceObjectName('ws3');
    const deletes = [
      `DELETE /api/v1/namespaces/tether-ws/pods/${name}`,
      `DELETE /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies/${name}`,
      `DELETE /api/v1/namespaces/tether-ws/persistentvolumeclaims/${name}`,
      `DELETE /api/v1/namespaces/tether-ws/persistentvolumeclaims/${name}-snapshots`,
    ];
    // The first destroy also kills the processes of both containers through exec; the second finds nothing.
    expect(calls()).toEqual([...deletes, ...deletes]);
    expect(stub.execs.map((e) => `${e.container} ${e.command.slice(-3).join(' ')}`).sort()).toEqual(['checkpoints kill -KILL -1', 'workspace kill -KILL -1']);
    expect(stub.objects.size).toBe(0);
  });

  it('opening re-creates a pod that was evicted (the claim kept the files), and destroy copes with a pod already gone', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    await provider.create(spec('ws13'), undefined);
    const pod = `pods/tether-ws/${workspaceObjectName('ws13')}`;
    stub.objects.delete(pod);
    await provider.open(spec('ws13'));
    expect(stub.objects.has(pod)).toBe(true);
    stub.objects.delete(pod);
    await provider.destroy('ws13');
    expect(stub.objects.size).toBe(0);
  });

  it('a pod that cannot pull its image fails creation in words and leaves nothing behind', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Pending', waiting: 'ImagePullBackOff' }] });
    await expect(provider.create(spec('ws4'), undefined)).rejects.toThrow('The workspace pod cannot start: ImagePullBackOff (stub: ImagePullBackOff)');
    expect(stub.objects.size).toBe(0);
  });

  it('a pod whose checkpoints container crash-loops fails creation in words, though the pod runs', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running', waiting: 'CrashLoopBackOff', container: 'checkpoints' }] });
    await expect(provider.create(spec('ws14'), undefined)).rejects.toThrow('The workspace pod cannot start: its checkpoints container: CrashLoopBackOff (stub: CrashLoopBackOff)');
    expect(stub.objects.size).toBe(0);
  });

  it('refuses a repository on Tether\'s server with a sentence, before touching the cluster', async () => {
    const provider = await providerOn();
    await expect(provider.create({ ...spec('ws5'), source: { kind: 'git', url: '/srv/repos/r.git' } }, undefined))
      .rejects.toThrow('/srv/repos/r.git is a path on Tether\'s server, which workspace pods cannot reach: clone from an http(s):// or git:// URL, or start from a template or an empty workspace');
    expect(stub.requests).toEqual([]);
  });
});

describe('kubernetes provider: TLS', () => {
  /** A self-signed certificate for 127.0.0.1, as a cluster's CA would issue. */
  function certificate(): { key: string; cert: string } {
    const keyFile = path.join(dir, `${randomUUID()}.key`);
    const cert = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { key: readFileSync(keyFile, 'utf8'), cert };
  }

  it('talks to an HTTPS API server it trusts through the kubeconfig, API and exec alike, and refuses one it does not', async () => {
    const served = certificate();
    await stub?.close();
    stub = await startStubApiServer({ podPhases: [{ phase: 'Running' }], tls: served });
    const trusting = await createKubernetesProvider({ settings, log: silentLog, configure: (kc) => stub.configure(kc, served.cert), podStartTimeoutMs: 5_000 });
    const ws = await trusting.create(spec('tls1'), undefined);
    expect(await ws.exec('echo over tls')).toMatchObject({ exitCode: 0, stdout: 'over tls\n' });
    const stranger = await createKubernetesProvider({ settings, log: silentLog, configure: (kc) => stub.configure(kc, certificate().cert), podStartTimeoutMs: 5_000 });
    await expect(stranger.open(spec('tls1'))).rejects.toThrow(/certificate|self[- ]signed/i);
  });
});

describe('kubernetes provider: processes through the exec API', () => {
  it('runs a command in the workspace container with its cwd and env, returning output and exit code', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('ws6'), undefined);
    await fs.mkdir(path.join(dir, 'sub'));
    const r = await ws.exec('echo "out:$GREETING:$(pwd)"; echo oops >&2; exit 3', { cwd: 'sub', env: { GREETING: 'hi there' } });
    expect(r).toMatchObject({ exitCode: 3, stdout: `out:hi there:${dir}/sub\n`, stderr: 'oops\n', timedOut: false, truncated: false });
    const e = stub.execs.at(-1)!;
    expect(e).toMatchObject({ pod: workspaceObjectName('ws6'), container: 'workspace', tty: false, stdin: false, protocol: 'v5.channel.k8s.io' });
    expect(e.command).toEqual(['/bin/sh', '-c', 'cd -- "$0" && exec "$@"', `${dir}/sub`, 'timeout', '-s', 'KILL', '120', 'env', '--', 'GREETING=hi there',
      '/bin/bash', '-c', 'echo "out:$GREETING:$(pwd)"; echo oops >&2; exit 3']);
    expect(await ws.exec(['true'])).toMatchObject({ exitCode: 0 });
  });

  it('feeds stdin and closes it (v5), and says why it cannot on a v4-only cluster', async () => {
    let provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    let ws = await provider.create(spec('ws7'), undefined);
    expect(await ws.exec('wc -c', { stdin: 'twelve bytes' })).toMatchObject({ exitCode: 0, stdout: '12\n' });
    provider = await providerOn({ podPhases: [{ phase: 'Running' }], protocols: ['v4.channel.k8s.io'] });
    ws = await provider.open(spec('ws7'));
    await expect(ws.exec('cat', { stdin: 'x' })).rejects.toThrow(/cannot end a command's input; Kubernetes 1\.30 or later/);
    expect(await ws.exec('echo v4 is fine without input')).toMatchObject({ exitCode: 0, stdout: 'v4 is fine without input\n' });
  });

  it('kills a command at its timeout inside the pod and reports it', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('ws8'), undefined);
    const r = await ws.exec('echo started; sleep 30', { timeoutMs: 1_000 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, stdout: 'started\n' });
    expect(r.durationMs).toBeLessThan(10_000);
  });

  it('opens a terminal with a tty whose size follows resize on channel 4, and reports its exit', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('ws9'), undefined);
    let output = '';
    let exited: ((code: number) => void) = () => {};
    const exit = new Promise<number>((resolve) => { exited = resolve; });
    const { pty, state } = await ws.openPty({ id: randomUUID(), cols: 91, rows: 17, command: ['/bin/sh', '-c', 'read x; stty size; read x; stty size; exit 4'] }, {
      onData: (c) => { output += c.data; },
      onExit: (e) => exited(e.exitCode),
      onLost: (reason) => { output += `LOST ${reason}`; },
    });
    expect(state).toMatchObject({ cols: 91, rows: 17, exit: null });
    // As with a kubelet, the size arrives on its channel while the command starts: ask once it is there.
    await expect.poll(() => stub.execs.at(-1)!.resizes.length).toBe(1);
    pty.write('\r');
    await expect.poll(() => output).toContain('17 91');
    pty.resize(120, 40);
    await expect.poll(() => stub.execs.at(-1)!.resizes.length).toBe(2);
    pty.write('\r');
    expect(await exit).toBe(4);
    expect(output).toContain('40 120');
    const e = stub.execs.at(-1)!;
    expect(e).toMatchObject({ tty: true, stdin: true, resizes: [{ width: 91, height: 17 }, { width: 120, height: 40 }] });
    expect(e.command).toContain('TERM=xterm-256color');
    // The output kept for a reconnecting browser, with byte offsets.
    const replayed = await new Promise<string>((resolve) => pty.replay(null, (_err, slice) => resolve(slice!.data.toString('utf8'))));
    expect(replayed).toBe(output);
    expect(await ws.ptys()).toEqual([]);
  });

  it('closing a terminal ends its session and reports it as hung up', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('ws14'), undefined);
    let output = '';
    const ended = new Promise<unknown>((resolve) => {
      void ws.openPty({ id: randomUUID(), cols: 80, rows: 24, command: ['/bin/sh', '-c', 'echo ready; sleep 60'] }, {
        onData: (c) => { output += c.data; },
        onExit: (e) => resolve(e),
        onLost: (reason) => resolve(reason),
      }).then(async ({ pty }) => {
        await expect.poll(() => output).toContain('ready');
        pty.kill();
      });
    });
    expect(await ended).toEqual({ exitCode: 129, signal: 1 });
  });
});

describe('kubernetes provider: files through the exec API', () => {
  it('writes, reads, lists, renames and deletes, with the file API\'s errors', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('ws10'), undefined);
    const f = ws.files;
    await f.createDir('src');
    const written = await f.createFile('src/a.ts', 'export const a = 1;\n');
    expect(await fs.readFile(path.join(dir, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    const read = await f.read('src/a.ts');
    expect(read).toMatchObject({ kind: 'text', content: 'export const a = 1;\n', size: 20, hash: written.hash });
    await expect(f.createFile('src/a.ts', 'again')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await f.write('src/a.ts', 'export const a = 2;\n', { hash: written.hash });
    await expect(f.write('src/a.ts', 'stale', { hash: written.hash })).rejects.toMatchObject({ code: 'CONFLICT' });
    await fs.writeFile(path.join(dir, 'bin.dat'), Buffer.from([0, 1, 2, 255]));
    expect(await f.read('bin.dat')).toMatchObject({ kind: 'binary', size: 4, readOnly: true });
    expect(await f.readBytes('bin.dat', 100)).toEqual(Buffer.from([0, 1, 2, 255]));
    await expect(f.readBytes('bin.dat', 2)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await f.createFile('empty.txt');
    expect(await f.read('empty.txt')).toMatchObject({ kind: 'text', content: '', size: 0 });
    expect((await f.list()).map((e) => `${e.type} ${e.path}`)).toEqual(['directory src', 'file bin.dat', 'file empty.txt']);
    await fs.symlink('src', path.join(dir, 'link'));
    expect(await f.stat('link')).toMatchObject({ type: 'symlink' });
    expect((await f.list('link')).map((e) => e.path)).toEqual(['link/a.ts']);
    expect(await f.read('link/a.ts')).toMatchObject({ kind: 'text', content: 'export const a = 2;\n' });
    await f.delete('link');
    expect(await f.stat('src/a.ts')).toMatchObject({ name: 'a.ts', path: 'src/a.ts', type: 'file', size: 20 });
    await f.rename('src/a.ts', 'src/b.ts');
    await expect(f.rename('src/b.ts', 'bin.dat')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect((await f.list('src')).map((e) => e.path)).toEqual(['src/b.ts']);
    await f.delete('src');
    await expect(f.stat('src')).rejects.toBeInstanceOf(FileError);
    await expect(f.read('src/b.ts')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.read('../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_PATH' });
  });

  it('fills a workspace from a template, and sees changes made by its processes', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create({ ...spec('ws11'), source: { kind: 'template', template: 'node-ts' } }, undefined);
    expect((await ws.files.list()).map((e) => e.name)).toContain('package.json');
    const batches: string[] = [];
    const watcher = await ws.files.watch((events) => batches.push(...events.map((e) => `${e.change} ${e.path}`)));
    await ws.exec('echo new > made-by-a-process.txt');
    await expect.poll(() => batches, { timeout: 8_000 }).toContain('created made-by-a-process.txt');
    await watcher.close();
  });

  it('measures the disk of the workspace volume', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('ws12'), undefined);
    const d = await ws.checkDisk();
    expect(d).toMatchObject({ enforcement: 'image', full: false });
    expect(d!.quotaBytes).toBeGreaterThan(d!.usedBytes);
  });
});

describe('kubernetes provider: checkpoints in the checkpoints container', () => {
  it('records the tree, reads a checkpoint without restoring it, and restores it', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('cp1'), undefined);
    await ws.files.createFile('a.txt', 'one\n');
    await ws.files.createDir('src');
    await ws.files.createFile('src/b.txt', 'bee\n');
    const before = stub.execs.length;
    const cp = await ws.snapshot('before the agent step');
    expect(cp).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{40}$/), label: 'before the agent step' });
    // The repository is on the snapshot claim, and every checkpoint command ran in the checkpoints container with it as GIT_DIR.
    expect(await fs.readFile(path.join(settings.snapshotPath, 'HEAD'), 'utf8')).toMatch(/^ref: refs\/heads\//);
    const gitExecs = stub.execs.slice(before);
    expect(gitExecs.length).toBeGreaterThan(0);
    for (const e of gitExecs) {
      expect(e.container).toBe('checkpoints');
      expect(e.command).toEqual(expect.arrayContaining([`GIT_DIR=${settings.snapshotPath}`, `GIT_WORK_TREE=${dir}`]));
    }
    expect(gitExecs.at(-1)!.command).toEqual(expect.arrayContaining(['GIT_CONFIG_GLOBAL=/dev/null', 'snapshot', 'before the agent step']));

    await ws.exec('echo two > a.txt && rm -r src && echo new > c.txt');
    expect(await ws.snapshotFiles([cp.id])).toEqual(new Map([[cp.id, ['a.txt', 'src/b.txt']]]));
    expect(await ws.snapshotFile([cp.id], 'src/b.txt')).toEqual(new Map([[cp.id, 'bee\n']]));
    expect(await ws.snapshotFile([cp.id], 'c.txt')).toEqual(new Map([[cp.id, null]]));

    await ws.restore(cp.id);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('one\n');
    expect(await fs.readFile(path.join(dir, 'src/b.txt'), 'utf8')).toBe('bee\n');
    await expect(fs.access(path.join(dir, 'c.txt'))).rejects.toThrow(/ENOENT/);
    await expect(ws.restore('0'.repeat(40))).rejects.toThrow(/Snapshot failed/);
    await expect(ws.snapshotFiles(['not-a-sha'])).rejects.toThrow(/Unknown snapshot/);
  });

  it('a command in the workspace container cannot see the snapshot store, nor write into it', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('cp2'), undefined);
    await ws.files.createFile('a.txt', 'one\n');
    const cp = await ws.snapshot('x');
    const head = await fs.readFile(path.join(settings.snapshotPath, 'HEAD'), 'utf8');
    const r = await ws.exec('ls -A "$STORE"; echo planted > "$STORE/HEAD" && rm -rf "$STORE/objects"; echo done', { env: { STORE: settings.snapshotPath } });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    expect(stub.execs.at(-1)!.container).toBe('workspace');
    expect(await fs.readFile(path.join(settings.snapshotPath, 'HEAD'), 'utf8')).toBe(head);
    expect((await ws.snapshotFiles([cp.id])).get(cp.id)).toEqual(['a.txt']);
  });

  it('reopening the workspace finds the checkpoints it had', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const ws = await provider.create(spec('cp3'), undefined);
    await ws.files.createFile('a.txt', 'one\n');
    const cp = await ws.snapshot('x');
    const again = await provider.open(spec('cp3'));
    await again.files.write('a.txt', 'two\n');
    await again.restore(cp.id);
    expect(await fs.readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('one\n');
  });
});

/** A bare repository with one commit, served over git:// on loopback (the stub's exec runs clones on this machine). */
async function serveRepository(): Promise<string> {
  const repos = path.join(outside, 'repos');
  const work = path.join(outside, 'src');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'ignore' });
  git('init', '-q', '-b', 'main', work);
  await fs.writeFile(path.join(work, 'hello.txt'), 'from the repo\n');
  git('-C', work, 'add', '.');
  git('-C', work, 'commit', '-q', '-m', 'first');
  await fs.mkdir(repos);
  git('clone', '-q', '--bare', work, path.join(repos, 'r.git'));
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', '--informative-errors', `--base-path=${repos}`, '--listen=127.0.0.1', `--port=${port}`, repos], { stdio: 'ignore' });
  await expect.poll(() => new Promise<boolean>((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  })).toBe(true);
  return `git://127.0.0.1:${port}`;
}

describe('kubernetes provider: cloning into a new workspace', () => {
  /** API calls and exec sessions, in the order the stub saw them. */
  const sequence = () => stub.requests.map((r) => (r.method === 'GET (upgrade)' ? 'EXEC' : `${r.method} ${r.path.replace(/^.*\/namespaces\/tether-ws\//, '')}`));

  it('opens the clone\'s port, clones as the workspace uid, then applies the workspace\'s own policy before handing it out', async () => {
    const server = await serveRepository();
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const url = `${server}/r.git`;
    const progress: string[] = [];
    const ws = await provider.create({ ...spec('git1'), source: { kind: 'git', url } }, (m) => progress.push(m));
    const name = workspaceObjectName('git1');
    expect(sequence()).toEqual([
      'POST persistentvolumeclaims', 'POST persistentvolumeclaims', 'POST networkpolicies', 'POST pods', `GET pods/${name}`,
      'EXEC',
      // Replacing the policy: a create that meets the one there, then a read and a replace.
      'POST networkpolicies', `GET networkpolicies/${name}`, `PUT networkpolicies/${name}`,
    ]);
    expect(stub.requests[2]!.body).toEqual(clonePolicyManifest('git1', Number(new URL(url).port)));
    expect(stub.requests[8]!.body).toMatchObject({ spec: networkPolicyManifest('git1', false).spec });
    expect(stub.objects.get(`networkpolicies/tether-ws/${name}`)).toMatchObject({ spec: { egress: [] } });
    expect(stub.execs).toHaveLength(1);
    expect(stub.execs[0]).toMatchObject({ container: 'workspace', tty: false });
    expect(stub.execs[0]!.command).toEqual(['/bin/sh', '-c', 'cd -- "$0" && exec "$@"', dir, 'timeout', '-s', 'KILL', '600',
      'env', '--', 'GIT_ALLOW_PROTOCOL=http:https:git', 'GIT_TERMINAL_PROMPT=0', '/bin/sh', '-c', CLONE_SCRIPT, 'clone', url, dir]);
    expect(progress[1]).toBe(`Cloning ${url}`);
    expect(progress.at(-1)).toBe('Clone complete');
    expect(await ws.files.read('hello.txt')).toMatchObject({ kind: 'text', content: 'from the repo\n' });
    expect(await ws.exec('git log --format=%s')).toMatchObject({ exitCode: 0, stdout: 'first\n' });
  });

  it('a failing clone reports git\'s words and leaves nothing behind', async () => {
    const server = await serveRepository();
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    const url = `${server}/missing.git`;
    await expect(provider.create({ ...spec('git2'), source: { kind: 'git', url } }, undefined))
      .rejects.toThrow(new RegExp(`^Cloning ${url} failed: .*fatal: remote error: no such repository: /missing\\.git$`));
    expect(stub.objects.size).toBe(0);
    // The workspace's own policy was never applied: the failure went straight to deleting what was made.
    expect(stub.requests.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('opens 443 for an https URL, and an explicit port when the URL names one', async () => {
    const provider = await providerOn({ podPhases: [{ phase: 'Running' }] });
    // Nothing answers here: the clone fails, after the provisioning policy was made for its port.
    await expect(provider.create({ ...spec('git3'), source: { kind: 'git', url: 'https://127.0.0.1:1/r.git' } }, undefined)).rejects.toThrow(/Cannot reach https:\/\/127\.0\.0\.1:1\/r\.git/);
    expect(stub.requests.find((r) => r.method === 'POST' && r.path.endsWith('/networkpolicies'))!.body).toEqual(clonePolicyManifest('git3', 1));
    expect(stub.objects.size).toBe(0);
  });
});
