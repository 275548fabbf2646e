// The kubernetes provider against a stand-in API server (stub-api-server.ts): the real client
// library makes real HTTP requests and exec WebSockets, and exec'd commands run here, in a
// temporary directory standing for the pod's workspace volume.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileError } from '../file-errors.ts';
import { silentLog } from '../testing.ts';
import { claimManifest, networkPolicyManifest, podManifest, workspaceObjectName } from './manifests.ts';
import { createKubernetesProvider, type KubernetesProvider } from './provider.ts';
import type { KubernetesSettings } from './settings.ts';
import { startStubApiServer, STUB_TOKEN, type StubOptions } from './stub-api-server.ts';

type Stub = Awaited<ReturnType<typeof startStubApiServer>>;
let dir: string;
let stub: Stub;
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
  settings = {
    namespace: 'tether-ws', image: 'registry.example/workspace:1', storageClass: null,
    cpu: { request: '500m', limit: '2' }, memory: { request: '1Gi', limit: '2Gi' }, disk: '10Gi', mountPath: dir,
  };
});

afterEach(async () => {
  await stub?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('kubernetes provider: objects', () => {
  it('creates the claim, then the deny-egress policy, then the pod, and waits for it to run', async () => {
    const provider = await providerOn();
    const progress: string[] = [];
    await provider.create(spec('ws1'), (m) => progress.push(m));
    const name = workspaceObjectName('ws1');
    expect(calls()).toEqual([
      'POST /api/v1/namespaces/tether-ws/persistentvolumeclaims',
      'POST /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies',
      'POST /api/v1/namespaces/tether-ws/pods',
      `GET /api/v1/namespaces/tether-ws/pods/${name}`,
      `GET /api/v1/namespaces/tether-ws/pods/${name}`,
    ]);
    expect(stub.requests.every((r) => r.authorization === `Bearer ${STUB_TOKEN}`)).toBe(true);
    expect(stub.requests[0]!.body).toEqual(claimManifest('ws1', settings));
    expect(stub.requests[1]!.body).toEqual(networkPolicyManifest('ws1', false));
    expect(stub.requests[2]!.body).toEqual(podManifest('ws1', 200_001, settings));
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
      'POST /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies',
      `GET /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies/${name}`,
      `PUT /apis/networking.k8s.io/v1/namespaces/tether-ws/networkpolicies/${name}`,
      'POST /api/v1/namespaces/tether-ws/pods',
      `GET /api/v1/namespaces/tether-ws/pods/${name}`,
    ]);
    expect([...stub.objects.keys()].sort()).toEqual([`networkpolicies/tether-ws/${name}`, `persistentvolumeclaims/tether-ws/${name}`, `pods/tether-ws/${name}`]);
    const policy = stub.objects.get(`networkpolicies/tether-ws/${name}`) as ReturnType<typeof networkPolicyManifest>;
    expect(policy.spec).toEqual(networkPolicyManifest('ws2', true).spec);
  });

  it('destroy deletes the pod, the policy and the claim, and is idempotent', async () => {
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
    ];
    // The first destroy also kills the workspace's processes through exec; the second finds nothing.
    expect(calls()).toEqual([...deletes, ...deletes]);
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

  it('refuses a git source with a sentence, before touching the cluster', async () => {
    const provider = await providerOn();
    await expect(provider.create({ ...spec('ws5'), source: { kind: 'git', url: 'https://example.com/r.git' } }, undefined)).rejects.toThrow(/not available with the kubernetes provider/);
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
