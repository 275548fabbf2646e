import { describe, expect, it } from 'vitest';
import { runProcess } from './run-process.ts';
import { startProcess } from './spawner.ts';

const env = { PATH: '/usr/bin:/bin' };

describe('processes started through the spawner', () => {
  it('are the spawner\'s children, not the server\'s', async () => {
    const r = await runProcess(['/bin/sh', '-c', 'echo $PPID'], { cwd: '/', env });
    expect(r.exitCode).toBe(0);
    const ppid = Number(r.stdout.trim());
    expect(ppid).not.toBe(process.pid);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`/proc/${ppid}/cmdline`, 'utf8')).toContain('spawner-process.mjs');
  });

  it('get their stdin and give back stdout, stderr and the exit code byte for byte', async () => {
    const r = await runProcess(['/bin/sh', '-c', 'cat; printf "\\377\\000err" >&2; exit 3'], { cwd: '/', env, stdin: 'héllo' });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'héllo', timedOut: false });
    expect(r.stderr).toBe('\ufffd\0err');
  });

  it('relay a flood in full under the output cap without losing the end', async () => {
    const r = await runProcess(['/bin/sh', '-c', 'head -c 30000000 /dev/zero; echo END'], { cwd: '/', env, maxOutputBytes: 1024 });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdout.endsWith('END\n')).toBe(true);
  }, 30_000);

  it('are killed as a group on timeout and on abort, even when asked before they ran', async () => {
    const t = await runProcess(['/bin/sh', '-c', 'sleep 30 & wait'], { cwd: '/', env, timeoutMs: 200 });
    expect(t).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    const aborted = new AbortController();
    aborted.abort();
    const a = await runProcess(['/bin/sleep', '30'], { cwd: '/', env, signal: aborted.signal });
    expect(a.signal).toBe('SIGKILL');
    expect(a.durationMs).toBeLessThan(10_000);
  }, 20_000);

  it('answer a program that cannot start with words, not a hang', async () => {
    const r = await runProcess(['/nonexistent/tool'], { cwd: '/', env });
    expect(r.exitCode).toBeNull();
    expect(r.stderr).toMatch(/ENOENT/);
    await expect(startProcess(['/bin/true'], { cwd: '/nonexistent-dir', env, output: 'ignore' })).rejects.toThrow(/ENOENT/);
  });

  it('start many at once', async () => {
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => runProcess(['/bin/echo', String(i)], { cwd: '/', env })));
    expect(all.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
  });
});
