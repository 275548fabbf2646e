// The sandbox command line, checked as data: what confines a workspace must not drift silently.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, limitsFromEnv } from './limits.ts';
import { bwrapArgs, sandboxArgv, type SandboxRequest } from './sandbox.ts';

const req: SandboxRequest = {
  tools: { bwrap: '/usr/bin/bwrap', setpriv: '/usr/bin/setpriv', prlimit: '/usr/bin/prlimit', sh: '/bin/sh', socat: '/usr/bin/socat' },
  uid: 12345, workspaceDir: '/data/workspaces/w',
  systemEtc: '/data/system-etc/0ff', etcDir: '/data/volumes/w/etc', egress: null, interactive: false,
  cwd: '/workspace', env: {}, command: ['npm', 'test'], limits: DEFAULT_LIMITS, cgroupProcs: ['/sys/fs/cgroup/pids/tether-w/cgroup.procs'],
};

describe('sandboxArgv', () => {
  it('joins the cgroup, sets limits as root, then drops to the uid before bwrap', () => {
    const argv = sandboxArgv(req);
    const at = (s: string) => argv.indexOf(s);
    expect(argv[0]).toBe('/bin/sh');
    expect(argv).toContain('/sys/fs/cgroup/pids/tether-w/cgroup.procs');
    expect(at('/usr/bin/prlimit')).toBeLessThan(at('/usr/bin/setpriv'));
    expect(at('/usr/bin/setpriv')).toBeLessThan(at('/usr/bin/bwrap'));
    expect(argv.slice(at('/usr/bin/setpriv'), at('/usr/bin/setpriv') + 6)).toEqual(['/usr/bin/setpriv', '--reuid', '12345', '--regid', '12345', '--clear-groups']);
    expect(argv).toContain(`--fsize=${DEFAULT_LIMITS.fileSizeBytes}`);
    expect(argv).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
    expect(argv.slice(-3)).toEqual(['--', 'npm', 'test']);
  });

  it('enters the workspace\'s mount namespace as root, after the limits and before dropping to the uid', () => {
    const argv = sandboxArgv({ ...req, mountNamespace: { nsenter: '/usr/bin/nsenter', file: '/data/mountns/w' } });
    const at = (s: string) => argv.indexOf(s);
    expect(argv.slice(at('/usr/bin/nsenter'), at('/usr/bin/nsenter') + 4)).toEqual(['/usr/bin/nsenter', '--mount=/data/mountns/w', '--', '/usr/bin/setpriv']);
    expect(at('/usr/bin/prlimit')).toBeLessThan(at('/usr/bin/nsenter'));
    expect(sandboxArgv(req)).not.toContain('/usr/bin/nsenter');
  });

  it('confines by default and only opens what the request allows', () => {
    const args = bwrapArgs(req);
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session', '--disable-userns', '--clearenv']) expect(args).toContain(flag);
    // Only the workspace host outlives the server (it owns the terminals); nothing else does.
    expect(bwrapArgs({ ...req, outliveParent: true })).not.toContain('--die-with-parent');
    expect(bwrapArgs({ ...req, outliveParent: true })).toContain('--unshare-all');
    expect(args).not.toContain('--share-net');
    expect(args.join(' ')).toContain('--uid 12345 --gid 12345');
    expect(args.join(' ')).toContain('--ro-bind /usr /usr');
    // /etc is one bind (bwrap re-reads the mount table per bind), the workspace's passwd and group over it.
    expect(args.join(' ')).toContain('--ro-bind /data/system-etc/0ff /etc --ro-bind /data/volumes/w/etc/passwd /etc/passwd --ro-bind /data/volumes/w/etc/group /etc/group');
    expect(args.filter((a) => a.startsWith('/etc/'))).toEqual(['/etc/passwd', '/etc/group']);
    expect(args.join(' ')).toContain('--bind /data/workspaces/w /workspace');
    expect(args.join(' ')).toContain('--tmpfs /tmp');
    expect(args.indexOf('--remount-ro')).toBeGreaterThan(args.indexOf('--bind'));
    const net = bwrapArgs({ ...req, egress: { socketDir: '/data/egress/0123456789abcdef', socat: '/usr/bin/socat', caBundle: '/data/w/etc/ca-bundle.pem' }, interactive: true });
    // Network "on" never shares the host's namespace: the proxy socket is the only way out.
    expect(net).not.toContain('--share-net');
    expect(net).not.toContain('--new-session');
    // Its directory, read-only: a socket re-created there by a restarted server is seen inside.
    expect(net.join(' ')).toContain('--ro-bind /data/egress/0123456789abcdef /run/tether/egress');
    expect(net.join(' ')).toContain('UNIX-CONNECT:/run/tether/egress/e.sock');
    expect(net.join(' ')).toContain('--setenv HTTPS_PROXY http://127.0.0.1:3128');
    expect(net.join(' ')).toContain('--ro-bind /data/w/etc/ca-bundle.pem /run/tether/ca-bundle.pem');
    expect(net.join(' ')).toContain('--setenv GIT_SSL_CAINFO /run/tether/ca-bundle.pem');
    expect(net.join(' ')).not.toContain('/etc/resolv.conf');
  });
});

describe('limitsFromEnv', () => {
  it('overrides from TETHER_SANDBOX_* and rejects nonsense', () => {
    const r = limitsFromEnv({ TETHER_SANDBOX_PROCESSES: '32' });
    expect(r).toEqual({ ok: true, limits: { ...DEFAULT_LIMITS, processes: 32 } });
    const bad = limitsFromEnv({ TETHER_SANDBOX_FILE_SIZE_BYTES: 'lots' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/TETHER_SANDBOX_FILE_SIZE_BYTES/);
  });
});
