import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RingBuffer } from './host/ring-buffer.mjs';
import type { PtyEvents, PtySlice, SandboxPty, Workspace } from './provider.ts';
import { ACK_CHUNK_CHARS, BATCH_MS, HIGH_WATERMARK_CHARS, TerminalManager, type TerminalChunk, type Watcher } from './terminals.ts';
import { silentLog, tempProvider, uidBase } from './testing.ts';
import { UNWATCHED_CHARS_PER_SECOND } from './unwatched-pace.ts';

/** A pty in a host the test drives by hand: it keeps a ring buffer and counts what it sent and what was acknowledged. */
class FakePty implements SandboxPty {
  written: string[] = [];
  killed = false;
  released = false;
  sent = 0;
  acked = 0;
  readonly buffer: RingBuffer;
  constructor(private readonly events: PtyEvents, scrollbackBytes: number) {
    this.buffer = new RingBuffer(scrollbackBytes);
  }
  /** Characters the host would count as in flight (it pauses the pty above the high watermark). */
  get inFlight() { return this.sent - this.acked; }
  emit(d: string) {
    const start = this.buffer.end;
    const end = this.buffer.append(Buffer.from(d, 'utf8'));
    this.sent += d.length;
    this.events.onData({ data: d, start, end });
  }
  exit(code: number) { this.events.onExit({ exitCode: code }); }
  lose(reason: string) { this.events.onLost(reason); }
  write(d: string) { this.written.push(d); }
  resize() {}
  ack(chars: number) { this.acked += chars; }
  replay(from: number | null, done: (err: Error | null, slice?: PtySlice) => void) { done(null, this.buffer.since(from ?? this.buffer.start)); }
  kill() { this.killed = true; }
  release() { this.released = true; }
}

type FakeWorkspace = Pick<Workspace, 'openPty' | 'ptys' | 'adoptPty'>;

function fakeWorkspace(): { ws: FakeWorkspace; ptys: FakePty[] } {
  const ptys: FakePty[] = [];
  const ws: FakeWorkspace = {
    openPty: async (o, events) => {
      const p = new FakePty(events, o.flow?.scrollbackBytes ?? 1024 * 1024);
      ptys.push(p);
      return { pty: p, state: { id: o.id, cols: o.cols, rows: o.rows, createdAt: new Date().toISOString(), end: 0, exit: null } };
    },
    ptys: async () => [],
    adoptPty: () => null,
  };
  return { ptys, ws };
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

async function opened(m: TerminalManager, ws: Pick<Workspace, 'openPty'>, sessionId = 's1') {
  const r = await m.open({ sessionId, workspace: ws, cols: 80, rows: 24 });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

async function attached(m: TerminalManager, id: string, from: number | null, onData: (c: TerminalChunk) => void = () => {}, watcher: Watcher | string | null = null) {
  const r = await m.attach(id, from, { onData }, typeof watcher === 'object' && watcher ? watcher : { userId: watcher });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('TerminalManager (fake host)', () => {
  it('batches small writes into one chunk', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws);
    const chunks: TerminalChunk[] = [];
    await attached(m, t.id, null, (c) => chunks.push(c));
    for (const ch of 'abcdef') ptys[0]!.emit(ch);
    // The first goes out at once; the rest of the burst is one message at the end of the window.
    expect(chunks).toEqual([{ data: 'a', start: 0, end: 1 }]);
    await tick();
    expect(chunks).toEqual([{ data: 'a', start: 0, end: 1 }, { data: 'bcdef', start: 1, end: 6 }]);
    m.closeSession('s1');
  });

  it('sends output after a quiet spell at once (a keystroke echo), and batches what follows it', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws);
    const chunks: TerminalChunk[] = [];
    await attached(m, t.id, null, (c) => chunks.push(c));
    await tick(BATCH_MS * 3);
    ptys[0]!.emit('x');
    expect(chunks).toEqual([{ data: 'x', start: 0, end: 1 }]);
    for (const ch of 'yz') ptys[0]!.emit(ch);
    expect(chunks).toHaveLength(1);
    await tick();
    expect(chunks).toEqual([{ data: 'x', start: 0, end: 1 }, { data: 'yz', start: 1, end: 3 }]);
    m.closeSession('s1');
  });

  it('covers output that held only shell reports: the next chunk starts where it did, so the offsets have no gap', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws);
    const chunks: TerminalChunk[] = [];
    await attached(m, t.id, null, (c) => chunks.push(c));
    ptys[0]!.emit('$ ');
    await tick(BATCH_MS * 3);
    const report = '\x1b]633;C\x07';
    ptys[0]!.emit(report); // what bash prints as a command starts: stripped, nothing to send
    await tick(BATCH_MS * 3);
    ptys[0]!.emit('after-42\r\n');
    await tick(BATCH_MS * 3);
    expect(chunks.map((c) => c.data)).toEqual(['$ ', 'after-42\r\n']);
    expect(chunks[1]!.start).toBe(chunks[0]!.end);
    expect(chunks[1]!.end).toBe(2 + report.length + 'after-42\r\n'.length);
    m.closeSession('s1');
  });

  it('replays bytes written while detached exactly once, in order', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws);
    let seen = '';
    let last = 0;
    const onData = (c: TerminalChunk) => { expect(c.start).toBe(last); seen += c.data; last = c.end; };
    const first = await attached(m, t.id, null, onData);
    ptys[0]!.emit('one ✓ ');
    await tick();
    first.detach();
    ptys[0]!.emit('two ');
    await tick();
    ptys[0]!.emit('three ');
    // Output batched but not yet sent when the replay is taken is not sent twice.
    await attached(m, t.id, last, onData);
    ptys[0]!.emit('four');
    await tick();
    expect(seen).toBe('one ✓ two three four');
    m.closeSession('s1');
  });

  it('marks output that fell out of the host\'s buffer as truncated', async () => {
    const m = new TerminalManager({ log: silentLog, scrollbackBytes: 16 });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws);
    ptys[0]!.emit('0123456789abcdefghijklmnop');
    await tick();
    const chunks: TerminalChunk[] = [];
    await attached(m, t.id, 2, (c) => chunks.push(c));
    expect(chunks).toEqual([{ data: 'abcdefghijklmnop', start: 10, end: 26, truncated: true }]);
    m.closeSession('s1');
  });

  it('acknowledges to the host what the slowest client took, so the host pauses for a slow browser', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const pty = () => ptys[0]!;
    const t = await opened(m, ws);
    // Nobody attached: everything is taken at once (in steps of ACK_CHUNK_CHARS).
    pty().emit('a'.repeat(3 * ACK_CHUNK_CHARS));
    expect(pty().inFlight).toBe(0);
    const fast = await attached(m, t.id, pty().buffer.end);
    const slow = await attached(m, t.id, pty().buffer.end);
    pty().emit('x'.repeat(HIGH_WATERMARK_CHARS + 1));
    await tick();
    // In flight at the host: what the clients have not rendered. Above the high watermark it pauses.
    expect(pty().inFlight).toBe(HIGH_WATERMARK_CHARS + 1);
    fast.ack(HIGH_WATERMARK_CHARS + 1);
    expect(pty().inFlight).toBe(HIGH_WATERMARK_CHARS + 1);
    slow.ack(600_000);
    expect(pty().inFlight).toBe(HIGH_WATERMARK_CHARS + 1 - 600_000);
    // A slow client that goes away releases the pty: detached clients hold nothing.
    slow.detach();
    expect(pty().inFlight).toBe(0);
    m.closeSession('s1');
  });

  it('paces a flood nobody watches, and lets it run at the browser\'s pace again once someone attaches', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const pty = () => ptys[0]!;
    const t = await opened(m, ws);
    const flood = 3 * HIGH_WATERMARK_CHARS;
    const started = performance.now();
    pty().emit('y'.repeat(flood));
    // A full bucket lets one flow-control window through at once; the rest waits for the pace
    // (the real host pauses the pty meanwhile).
    expect(pty().acked).toBe(HIGH_WATERMARK_CHARS);
    await vi.waitFor(() => expect(pty().acked).toBeGreaterThan(HIGH_WATERMARK_CHARS), { timeout: 5000, interval: 5 });
    const paced = pty().acked - HIGH_WATERMARK_CHARS;
    expect(paced).toBeLessThanOrEqual(((performance.now() - started) * UNWATCHED_CHARS_PER_SECOND) / 1000 + ACK_CHUNK_CHARS);
    expect(pty().inFlight).toBeGreaterThan(0);
    // Someone watching acknowledges what they render: the host gets everything at once.
    const viewer = await attached(m, t.id, pty().buffer.end);
    viewer.ack(1);
    expect(pty().inFlight).toBe(0);
    m.closeSession('s1');
  });

  it('lets only the controller pace the pty: a watcher a window behind is skipped, then caught up from the host\'s buffer', async () => {
    const m = new TerminalManager({ log: silentLog, scrollbackBytes: 4 * HIGH_WATERMARK_CHARS });
    const { ws, ptys } = fakeWorkspace();
    const pty = () => ptys[0]!;
    const r = await m.open({ sessionId: 's1', workspace: ws, cols: 80, rows: 24, controller: 'typist' });
    if (!r.ok) throw new Error(r.message);
    const typist = await attached(m, r.value.id, 0, (c) => typist.ack(c.data.length), 'typist');
    const seen: TerminalChunk[] = [];
    const reviewer = await attached(m, r.value.id, 0, (c) => seen.push(c), 'reviewer');
    const line = 'z'.repeat(ACK_CHUNK_CHARS * 10);
    const flood = Math.ceil((2 * HIGH_WATERMARK_CHARS) / line.length);
    for (let i = 0; i < flood; i++) {
      pty().emit(line);
      await tick(BATCH_MS + 1);
    }
    // The typist has taken everything, so the host holds nothing back for the silent reviewer...
    expect(pty().inFlight).toBeLessThan(ACK_CHUNK_CHARS);
    // ...who was sent one window at most, contiguous from the start.
    const got = seen.reduce((n, c) => n + c.data.length, 0);
    expect(got).toBeLessThanOrEqual(HIGH_WATERMARK_CHARS);
    expect(seen.every((c, i) => i === 0 || c.start === seen[i - 1]!.end)).toBe(true);
    // Once the reviewer renders what it has, it gets what it missed, from where it stopped.
    const stoppedAt = seen.at(-1)!.end;
    reviewer.ack(got);
    await vi.waitFor(() => expect(seen.at(-1)!.end).toBe(pty().buffer.end));
    const catchUp = seen.find((c) => c.start === stoppedAt && c.end > stoppedAt);
    expect(catchUp?.truncated).toBeUndefined();
    expect(seen.reduce((n, c) => n + c.data.length, 0)).toBe(flood * line.length);
    // And once that is rendered too, live output follows it again.
    reviewer.ack(catchUp!.data.length);
    pty().emit('after');
    await tick(BATCH_MS + 1);
    expect(seen.at(-1)!.data === 'after').toBe(true);
    m.closeSession('s1');
  });

  it('never lets a share link\'s viewer hold the pty back: alone, it watches an unwatched terminal', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const pty = () => ptys[0]!;
    const t = await opened(m, ws);
    const seen: TerminalChunk[] = [];
    await attached(m, t.id, 0, (c) => seen.push(c), { userId: null, viaLink: true });
    const started = performance.now();
    for (let i = 0; i < 30; i++) {
      pty().emit('v'.repeat(100_000));
      await tick(BATCH_MS + 1);
    }
    // Paced as if nobody watched (a window at once, then the unwatched rate), not stopped at the
    // viewer's window as a member's silent browser would stop it.
    expect(pty().acked).toBeGreaterThan(HIGH_WATERMARK_CHARS);
    expect(pty().acked).toBeLessThanOrEqual(HIGH_WATERMARK_CHARS + ((performance.now() - started) * UNWATCHED_CHARS_PER_SECOND) / 1000 + ACK_CHUNK_CHARS);
    expect(seen.reduce((n, c) => n + c.data.length, 0)).toBeLessThanOrEqual(HIGH_WATERMARK_CHARS);
    m.closeSession('s1');
  });

  it('says why a terminal ended when its host went away, and keeps it listed', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws);
    const exits: unknown[] = [];
    const r = await m.attach(t.id, null, { onData() {}, onExit: (e) => exits.push(e) });
    expect(r.ok).toBe(true);
    ptys[0]!.lose('The workspace host stopped (signal SIGKILL)');
    expect(exits).toEqual([{ exitCode: -1, reason: 'The terminal ended: The workspace host stopped (signal SIGKILL).' }]);
    expect(m.get(t.id)?.exit?.reason).toMatch(/ended/);
    expect(m.write(t.id, 'ls\r')).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    expect(await m.attach(t.id, null, { onData() {} })).toMatchObject({ ok: false, message: expect.stringMatching(/The terminal ended/) });
    // A terminal that did not survive a restart is listed as ended with the reason, until closed.
    m.markLost('s1', '00000000-0000-4000-8000-000000000000', 'The terminal ended when the server restarted.');
    expect(m.list('s1').map((i) => i.exit?.reason)).toEqual([expect.stringMatching(/ended:/), 'The terminal ended when the server restarted.']);
    m.closeSession('s1');
  });

  it('takes input and resizes only from its controller: the opener, then whoever takes over', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    const r = await m.open({ sessionId: 's1', workspace: ws, cols: 80, rows: 24, controller: 'max' });
    if (!r.ok) throw new Error(r.message);
    const id = r.value.id;
    expect(m.write(id, 'a', 'max')).toEqual({ ok: true, value: undefined });
    expect(m.write(id, 'b', 'ada')).toMatchObject({ ok: false, error: 'NOT_IN_CONTROL' });
    expect(m.write(id, 'c', null)).toMatchObject({ ok: false, error: 'NOT_IN_CONTROL' });
    expect(m.resize(id, 120, 40, 'ada')).toMatchObject({ ok: false, error: 'NOT_IN_CONTROL' });
    expect(m.get(id)).toMatchObject({ cols: 80, rows: 24, controller: 'max' });

    expect(m.takeOver(id, 'ada')).toEqual({ ok: true, value: { from: 'max', to: 'ada' } });
    expect(m.write(id, 'd', 'ada').ok).toBe(true);
    expect(m.write(id, 'e', 'max')).toMatchObject({ ok: false, error: 'NOT_IN_CONTROL' });
    expect(m.resize(id, 120, 40, 'ada').ok).toBe(true);
    expect(m.get(id)).toMatchObject({ cols: 120, rows: 40, controller: 'ada' });
    expect(ptys[0]!.written).toEqual(['a', 'd']);

    ptys[0]!.exit(0);
    expect(m.takeOver(id, 'max')).toMatchObject({ ok: false, error: 'NOT_FOUND' });
    m.closeSession('s1');
  });

  it('adopts a terminal with the controller the log recorded', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws } = fakeWorkspace();
    let pty: FakePty | null = null;
    const state = { id: '00000000-0000-4000-8000-0000000000aa', cols: 80, rows: 24, createdAt: new Date().toISOString(), end: 0, exit: null };
    const adopted = await m.adopt('s1', { ...ws, ptys: async () => [state], adoptPty: (_id, events) => (pty = new FakePty(events, 1024)) }, [state.id], new Map([[state.id, 'ada']]));
    expect(adopted).toEqual([state.id]);
    expect(m.get(state.id)?.controller).toBe('ada');
    expect(m.write(state.id, 'x', 'max').ok).toBe(false);
    expect(m.write(state.id, 'y', 'ada').ok).toBe(true);
    expect(pty!.written).toEqual(['y']);
    m.closeSession('s1');
  });

  it('leaves every pty running in its host on releaseAll (server shutdown)', async () => {
    const m = new TerminalManager({ log: silentLog });
    const { ws, ptys } = fakeWorkspace();
    await opened(m, ws);
    m.releaseAll();
    expect(ptys[0]).toMatchObject({ released: true, killed: false });
    expect(m.list('s1')).toEqual([]);
  });

  it('keeps terminals when listeners go away, ends them after the idle timeout, closes a session', async () => {
    const m = new TerminalManager({ log: silentLog, idleTimeoutMs: 50, maxPerSession: 2 });
    const { ws, ptys } = fakeWorkspace();
    const t = await opened(m, ws, 'idle');
    const a = await attached(m, t.id, null);
    await tick(80);
    expect(m.get(t.id)).not.toBeNull();
    a.detach();
    await tick(30);
    expect(m.get(t.id)).not.toBeNull();
    await tick(60);
    expect(m.get(t.id)).toBeNull();
    expect(ptys[0]!.killed).toBe(true);

    await opened(m, ws, 's2');
    await opened(m, ws, 's2');
    const third = await m.open({ sessionId: 's2', workspace: ws, cols: 80, rows: 24 });
    expect(third).toMatchObject({ ok: false, error: 'TOO_MANY_TERMINALS' });
    expect(m.closeSession('s2')).toBe(2);
    expect(m.list('s2')).toEqual([]);
    expect(await m.attach('nope', null, { onData() {} })).toMatchObject({ ok: false, error: 'NOT_FOUND' });
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
    const t = await opened(m, ws);
    let screen = '';
    let last = 0;
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(screen); i++) await tick(25);
      expect(screen, JSON.stringify(screen)).toMatch(re);
    };
    const first = await attached(m, t.id, null, (c) => { screen += c.data; last = c.end; });
    await until(/\$ $/);
    m.write(t.id, 'echo before-$((40+2))\r');
    await until(/before-42/);
    first.detach();
    m.write(t.id, 'for i in 1 2 3; do echo line-$i; done\r');
    await tick(300);
    const chunks: TerminalChunk[] = [];
    await attached(m, t.id, last, (c) => { chunks.push(c); screen += c.data; });
    expect(chunks[0]).toMatchObject({ start: last });
    expect(chunks[0]?.truncated).toBeUndefined();
    m.write(t.id, 'echo after\r');
    await until(/\rafter\r\n/);
    expect(screen.match(/line-1\r\nline-2\r\nline-3/g)).toHaveLength(1);
    m.closeSession('s1');
  });
});
