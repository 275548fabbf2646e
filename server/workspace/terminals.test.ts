import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxPty, Workspace } from './provider.ts';
import { BATCH_MS, HIGH_WATERMARK_CHARS, LOW_WATERMARK_CHARS, TerminalManager, type TerminalChunk } from './terminals.ts';
import { silentLog, tempProvider, uidBase } from './testing.ts';

/** A pty the test drives by hand. */
class FakePty implements SandboxPty {
  readonly pid = 1;
  paused = false;
  written: string[] = [];
  killed = false;
  private dataListeners: Array<(d: string) => void> = [];
  private exitListeners: Array<(e: { exitCode: number }) => void> = [];
  onData(l: (d: string) => void) { this.dataListeners.push(l); return { dispose() {} }; }
  onExit(l: (e: { exitCode: number }) => void) { this.exitListeners.push(l); return { dispose() {} }; }
  emit(d: string) { for (const l of this.dataListeners) l(d); }
  exit(code: number) { for (const l of this.exitListeners) l({ exitCode: code }); }
  write(d: string) { this.written.push(d); }
  resize() {}
  pause() { this.paused = true; }
  resume() { this.paused = false; }
  kill() { this.killed = true; }
}

function fakeWorkspace(): { ws: Pick<Workspace, 'spawnPty'>; ptys: FakePty[] } {
  const ptys: FakePty[] = [];
  return { ptys, ws: { spawnPty: () => { const p = new FakePty(); ptys.push(p); return p; } } };
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

function opened(m: TerminalManager, ws: Pick<Workspace, 'spawnPty'>, sessionId = 's1') {
  const r = m.open({ sessionId, workspace: ws, cols: 80, rows: 24 });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('TerminalManager (fake pty)', () => {
  it('batches small writes into one chunk', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = opened(m, ws);
    const chunks: TerminalChunk[] = [];
    const a = m.attach(t.id, null, { onData: (c) => chunks.push(c) });
    expect(a.ok).toBe(true);
    for (const ch of 'abcdef') ptys[0]!.emit(ch);
    // The first goes out at once; the rest of the burst is one message at the end of the window.
    expect(chunks).toEqual([{ data: 'a', start: 0, end: 1 }]);
    await tick();
    expect(chunks).toEqual([{ data: 'a', start: 0, end: 1 }, { data: 'bcdef', start: 1, end: 6 }]);
    m.closeAll();
  });

  it('sends output after a quiet spell at once (a keystroke echo), and batches what follows it', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = opened(m, ws);
    const chunks: TerminalChunk[] = [];
    m.attach(t.id, null, { onData: (c) => chunks.push(c) });
    await tick(BATCH_MS * 3);
    ptys[0]!.emit('x');
    expect(chunks).toEqual([{ data: 'x', start: 0, end: 1 }]);
    for (const ch of 'yz') ptys[0]!.emit(ch);
    expect(chunks).toHaveLength(1);
    await tick();
    expect(chunks).toEqual([{ data: 'x', start: 0, end: 1 }, { data: 'yz', start: 1, end: 3 }]);
    m.closeAll();
  });

  it('replays bytes written while detached exactly once, in order', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = opened(m, ws);
    let seen = '';
    let last = 0;
    const listener = { onData: (c: TerminalChunk) => { expect(c.start).toBe(last); seen += c.data; last = c.end; } };
    const first = m.attach(t.id, null, listener);
    if (!first.ok) throw new Error();
    ptys[0]!.emit('one ✓ ');
    await tick();
    first.value.detach();
    ptys[0]!.emit('two ');
    await tick();
    ptys[0]!.emit('three ');
    const again = m.attach(t.id, last, listener);
    if (!again.ok) throw new Error();
    expect(again.value.replay).toMatchObject({ data: 'two three ', start: last, missedBytes: 0 });
    seen += again.value.replay.data;
    last = again.value.replay.end;
    ptys[0]!.emit('four');
    await tick();
    expect(seen).toBe('one ✓ two three four');
    m.closeAll();
  });

  it('marks output that fell out of the buffer as truncated', async () => {
    const m = new TerminalManager({ log: silentLog, scrollbackBytes: 16 });
    const { ws, ptys } = fakeWorkspace();
    const t = opened(m, ws);
    ptys[0]!.emit('0123456789abcdefghijklmnop');
    await tick();
    const a = m.attach(t.id, 2, { onData() {} });
    if (!a.ok) throw new Error();
    expect(a.value.replay).toMatchObject({ data: 'abcdefghijklmnop', start: 10, end: 26, missedBytes: 8 });
    m.closeAll();
  });

  it('pauses above the high watermark and resumes under the low one', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const pty = () => ptys[0]!;
    const t = opened(m, ws);
    const a = m.attach(t.id, null, { onData() {} });
    if (!a.ok) throw new Error();
    pty().emit('x'.repeat(HIGH_WATERMARK_CHARS + 1));
    await tick();
    expect(pty().paused).toBe(true);
    a.value.ack(HIGH_WATERMARK_CHARS + 1 - LOW_WATERMARK_CHARS);
    expect(pty().paused).toBe(true);
    a.value.ack(2);
    expect(pty().paused).toBe(false);
    // A slow client that goes away releases the pty: detached clients hold nothing.
    pty().emit('y'.repeat(HIGH_WATERMARK_CHARS + 1));
    await tick();
    expect(pty().paused).toBe(true);
    a.value.detach();
    expect(pty().paused).toBe(false);
    m.closeAll();
  });

  it('keeps terminals when listeners go away, ends them after the idle timeout, closes a session', async () => {
    const m = new TerminalManager({ log: silentLog, idleTimeoutMs: 50, maxPerSession: 2 });
    const { ws, ptys } = fakeWorkspace();
    const t = opened(m, ws, 'idle');
    const a = m.attach(t.id, null, { onData() {} });
    if (!a.ok) throw new Error();
    await tick(80);
    expect(m.get(t.id)).not.toBeNull();
    a.value.detach();
    await tick(30);
    expect(m.get(t.id)).not.toBeNull();
    await tick(60);
    expect(m.get(t.id)).toBeNull();
    expect(ptys[0]!.killed).toBe(true);

    opened(m, ws, 's2');
    opened(m, ws, 's2');
    const third = m.open({ sessionId: 's2', workspace: ws, cols: 80, rows: 24 });
    expect(third).toMatchObject({ ok: false, error: 'TOO_MANY_TERMINALS' });
    expect(m.closeSession('s2')).toBe(2);
    expect(m.list('s2')).toEqual([]);
    expect(m.attach('nope', null, { onData() {} })).toMatchObject({ ok: false, error: 'NOT_FOUND' });
  });
});

describe('TerminalManager (real sandboxed shell)', () => {
  let env: Awaited<ReturnType<typeof tempProvider>>;
  let ws: Workspace;
  beforeAll(async () => {
    env = await tempProvider();
    ws = await env.provider.create({ id: 'term', source: { kind: 'empty' }, networkAllowed: false, uid: uidBase() });
  });
  afterAll(async () => env.cleanup());

  it('shows a prompt, runs input, and resumes after a reconnect without gaps', async () => {
    const m = new TerminalManager({ log: silentLog });
    const t = opened(m, ws);
    let screen = '';
    let last = 0;
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(screen); i++) await tick(25);
      expect(screen, JSON.stringify(screen)).toMatch(re);
    };
    const first = m.attach(t.id, null, { onData: (c) => { screen += c.data; last = c.end; } });
    if (!first.ok) throw new Error(first.message);
    await until(/\$ $/);
    m.write(t.id, 'echo before-$((40+2))\r');
    await until(/before-42/);
    first.value.detach();
    m.write(t.id, 'for i in 1 2 3; do echo line-$i; done\r');
    await tick(300);
    const again = m.attach(t.id, last, { onData: (c) => { screen += c.data; } });
    if (!again.ok) throw new Error(again.message);
    expect(again.value.replay.missedBytes).toBe(0);
    screen += again.value.replay.data;
    m.write(t.id, 'echo after\r');
    await until(/\rafter\r\n/);
    expect(screen.match(/line-1\r\nline-2\r\nline-3/g)).toHaveLength(1);
    m.closeAll();
  });
});
