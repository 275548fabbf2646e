// Race battery (issue 8 §1): a process inside the workspace swaps a directory with a symlink to
// a root-owned canary directory outside the workspace (renameat2 RENAME_EXCHANGE in a tight
// loop) while the server hammers one operation at a time through that directory. Whatever the
// race does, the canary must be untouched and no answer may carry its contents or its listing.
// On the old code (check-then-act as root) delete, rename, create and list lost this race.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from './provider.ts';
import { tempProvider, uidBase } from './testing.ts';

/** Each operation is hammered this long while the swapper runs. */
const HAMMER_MS = 2000;
const CANARY_SECRET = 'CANARY-SECRET-7f3a';
const CANARY_ONLY = 'canary-only-entry';
const NAMES = ['secret-0', 'secret-1', 'secret-2', 'secret-3'];

/**
 * Runs as the workspace uid inside the sandbox. `swap` exchanges d and l forever; `fresh` makes
 * new directories (the watcher walks those) and exchanges each with l for a while.
 */
const SWAPPER = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
mode, canary, deadline = sys.argv[1], sys.argv[2], time.time() + float(sys.argv[3])
def xchg(a, b):
    libc.renameat2(-100, a.encode(), -100, b.encode(), 2)
os.makedirs('d', exist_ok=True)
for n in ${JSON.stringify(NAMES)}:
    open('d/' + n, 'w').write('inside')
os.symlink(canary, 'l')
open('ready', 'w').close()
i = 0
while time.time() < deadline:
    if mode == 'swap':
        xchg('d', 'l')
    else:
        n = 'n%d' % i
        i += 1
        os.mkdir(n)
        open(n + '/x', 'w').close()
        until = time.time() + 0.05
        while time.time() < until:
            xchg(n, 'l')
        # The link must be l again for the next directory.
        if os.path.islink(n):
            xchg(n, 'l')
`;

let env: Awaited<ReturnType<typeof tempProvider>>;
let base: string;
const uid0 = uidBase();
let n = 0;

async function canaryState(canary: string): Promise<string> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const p = path.join(dir, name);
      const st = await fs.lstat(p);
      out.push(`${rel}${name} ${st.uid} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${st.isFile() ? await fs.readFile(p, 'utf8') : ''}`);
      if (st.isDirectory()) await walk(p, `${rel}${name}/`);
    }
  };
  const st = await fs.stat(canary);
  out.push(`. ${st.uid} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`);
  await walk(canary, '');
  return out.join('\n');
}

beforeAll(async () => {
  env = await tempProvider();
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-canary-'));
  await fs.chmod(base, 0o755);
});
afterAll(async () => {
  await env.cleanup();
  await fs.rm(base, { recursive: true, force: true });
});

/** A root-owned directory outside every workspace, with root-only files. */
async function makeCanary(id: number): Promise<string> {
  const canary = path.join(base, `canary-${id}`);
  await fs.mkdir(path.join(canary, 'sub'), { recursive: true, mode: 0o755 });
  for (const name of [...NAMES, CANARY_ONLY]) await fs.writeFile(path.join(canary, name), `${CANARY_SECRET} ${name}`, { mode: 0o600 });
  await fs.writeFile(path.join(canary, 'sub', 'deep'), CANARY_SECRET, { mode: 0o600 });
  return canary;
}

/**
 * Starts the swapper in a fresh workspace (with a fresh canary), runs `op` over and over until it stops, and returns
 * every answer and error message (as text) for inspection.
 */
type Op = (ws: Workspace, i: number, canary: string) => Promise<unknown>;

async function race(mode: 'swap' | 'fresh', op: Op): Promise<{ answers: string[]; ops: number; canary: string; before: string }> {
  n++;
  const canary = await makeCanary(n);
  const before = await canaryState(canary);
  const ws = await env.provider.create({ id: `race-${n}`, source: { kind: 'empty' }, networkAllowed: false, uid: uid0 + n });
  const swapper = ws.exec(['python3', '-c', SWAPPER, mode, canary, String(HAMMER_MS / 1000)], { timeoutMs: HAMMER_MS + 30_000 });
  let exited = false;
  void swapper.then(() => { exited = true; });
  const ready = path.join(ws.files.root, 'ready');
  while (!(await fs.lstat(ready).then(() => true, () => false))) {
    if (exited) throw new Error(`the swapper did not start: ${(await swapper).stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const answers: string[] = [];
  let ops = 0;
  const end = Date.now() + HAMMER_MS;
  while (Date.now() < end) {
    try {
      answers.push(JSON.stringify(await op(ws, ops, canary)) ?? '');
    } catch (e) {
      answers.push(e instanceof Error ? e.message : String(e));
    }
    ops++;
  }
  const r = await swapper;
  expect(r.stderr).toBe('');
  return { answers, ops, canary, before };
}

function expectNoLeak(answers: string[]): void {
  const leaks = answers.filter((a) => a.includes(CANARY_SECRET) || a.includes(CANARY_ONLY));
  expect(leaks.slice(0, 3)).toEqual([]);
}

describe('file operations raced by a symlink swap inside the workspace', () => {
  const cases: Array<[string, Op]> = [
    ['read', (ws) => ws.files.read('d/secret-0')],
    ['write', (ws, i) => ws.files.write(i % 2 ? 'd/secret-1' : `d/new-${i}`, 'pwned')],
    ['list', (ws) => ws.files.list('d')],
    // Only the canary has this name: any answer but "not there" is a leak.
    ['stat', (ws) => ws.files.stat(`d/${CANARY_ONLY}`).catch((e: { code?: string }) => (e.code === 'NOT_FOUND' || e.code === 'OUTSIDE_WORKSPACE' ? null : Promise.reject(e)))],
    ['create file', (ws, i) => ws.files.createFile(`d/made-${i}`, 'pwned')],
    ['create dir', (ws, i) => ws.files.createDir(`d/dir-${i}`)],
    ['rename out and back', async (ws, i) => {
      await ws.files.rename('d/secret-2', `got-${i}`).catch(() => null);
      return ws.files.rename(`got-${i}`, 'd/secret-2');
    }],
    ['rename into the raced directory', async (ws, i) => {
      await ws.files.createFile(`mine-${i}`, 'x');
      return ws.files.rename(`mine-${i}`, `d/mine-${i}`);
    }],
    ['delete', async (ws) => {
      await ws.files.createFile('d/secret-3', 'again').catch(() => null);
      return ws.files.delete('d/secret-3');
    }],
    ['snapshot and restore', async (ws) => ws.restore((await ws.snapshot('race')).id)],
  ];

  for (const [name, op] of cases) {
    it(`${name}: the canary is untouched and never answered`, async () => {
      const { answers, ops, canary, before } = await race('swap', op);
      expect(ops).toBeGreaterThan(0);
      expectNoLeak(answers);
      expect(await canaryState(canary)).toBe(before);
    }, HAMMER_MS + 60_000);
  }

  it('git-clone provisioning from the raced directory reads nothing of the canary', async () => {
    const answers: string[] = [];
    const { canary, before } = await race('swap', async (ws, i) => {
      const clone = await env.provider.create({
        id: `race-clone-${n}-${i}`, source: { kind: 'git', url: path.join(ws.files.root, 'd') }, networkAllowed: false, uid: uid0 + 10_000 + i,
      }).catch((e: Error) => e);
      if (clone instanceof Error) return clone.message;
      answers.push(JSON.stringify(await clone.files.list('')));
      return null;
    });
    expectNoLeak(answers);
    expect(await canaryState(canary)).toBe(before);
  }, HAMMER_MS + 60_000);

  it('the watcher never walks or watches through a swapped directory', async () => {
    const events: string[] = [];
    const { answers } = await race('fresh', async (ws, i, canary) => {
      if (i === 0) await ws.files.watch((batch) => events.push(...batch.map((e) => e.path)), { debounceMs: 5 });
      await new Promise((r) => setTimeout(r, 50));
      // Changes in the canary would reach a watcher that put an inotify watch on it.
      await fs.utimes(path.join(canary, 'sub'), new Date(), new Date());
      return null;
    });
    expectNoLeak([...answers, events.join('\n')]);
    expect(events.filter((e) => e.includes('sub/') || e.endsWith('/sub'))).toEqual([]);
  }, HAMMER_MS + 60_000);

});
