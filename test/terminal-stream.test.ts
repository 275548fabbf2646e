// One terminal's stream (app/lib/terminal-stream.ts) against a fake socket and a terminal that
// parses when told to: what it attaches, writes, acknowledges and detaches.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { TerminalStream, type StreamSocket } from '../app/lib/terminal-stream.ts';

function fakeSocket(connected = true) {
  const events = new EventEmitter();
  const sent: [string, unknown][] = [];
  const socket = {
    connected,
    on: (name: string, f: (...a: unknown[]) => void) => { events.on(name, f); return socket; },
    off: (name: string, f: (...a: unknown[]) => void) => { events.off(name, f); return socket; },
    emit: (name: string, req: unknown, ack?: (r: unknown) => void) => { sent.push([name, req]); ack?.({ ok: true }); return true; },
  };
  return { socket: socket as unknown as StreamSocket, sent, serverSends: (name: string, payload: unknown) => events.emit(name, payload), events };
}

function fakeTerminal() {
  const writes: string[] = [];
  const pending: (() => void)[] = [];
  return { writes, parseAll: () => { while (pending.length) pending.shift()!(); }, write: (d: string, parsed?: () => void) => { writes.push(d); if (parsed) pending.push(parsed); } };
}

const ids = { sessionId: 's1', terminalId: 't1' };
const data = (start: number, text: string, terminalId = 't1') => ({ terminalId, start, end: start + text.length, data: text });

describe('TerminalStream', () => {
  it('attaches at once on a connected socket, for all the server holds', () => {
    const s = fakeSocket();
    new TerminalStream(s.socket, 's1', 't1', fakeTerminal());
    expect(s.sent).toEqual([['terminal:attach', { ...ids, fromOffset: null }]]);
  });

  it('waits for the connection to attach, and re-attaches from the last byte after a reconnect', () => {
    const s = fakeSocket(false);
    const term = fakeTerminal();
    new TerminalStream(s.socket, 's1', 't1', term);
    expect(s.sent).toEqual([]);
    s.serverSends('connect', undefined);
    s.serverSends('terminal:data', data(0, 'hello $ '));
    s.serverSends('terminal:data', data(0, 'other', 't2'));
    expect(term.writes).toEqual(['hello $ ']);
    s.serverSends('connect', undefined);
    expect(s.sent.map(([, req]) => (req as { fromOffset: number | null }).fromOffset)).toEqual([null, 8]);
  });

  it('acknowledges parsed characters in batches, each counted once', () => {
    const s = fakeSocket();
    const term = fakeTerminal();
    new TerminalStream(s.socket, 's1', 't1', term);
    s.serverSends('terminal:data', data(0, 'x'.repeat(3000)));
    s.serverSends('terminal:data', data(3000, 'y'.repeat(3000)));
    // Re-sent after a reconnect: already written, neither written nor counted again.
    s.serverSends('terminal:data', data(0, 'x'.repeat(3000)));
    expect(s.sent.filter(([n]) => n === 'terminal:ack')).toEqual([]);
    term.parseAll();
    expect(s.sent.filter(([n]) => n === 'terminal:ack')).toEqual([['terminal:ack', { ...ids, chars: 6000 }]]);
  });

  it('tells once output has been parsed, at once to those who ask later', () => {
    const s = fakeSocket();
    const term = fakeTerminal();
    const stream = new TerminalStream(s.socket, 's1', 't1', term);
    const told: string[] = [];
    stream.afterFirstOutput(() => told.push('early'));
    s.serverSends('terminal:data', data(0, '$ '));
    expect(told).toEqual([]);
    term.parseAll();
    s.serverSends('terminal:data', data(2, 'more'));
    term.parseAll();
    stream.afterFirstOutput(() => told.push('late'));
    expect(told).toEqual(['early', 'late']);
  });

  it('stops the stream when a hidden terminal overflows, and reads again from the last byte written when shown', () => {
    const s = fakeSocket();
    const term = fakeTerminal();
    const stream = new TerminalStream(s.socket, 's1', 't1', term, { hidden: true });
    s.serverSends('terminal:data', data(0, 'x'.repeat(300 * 1024)));
    expect(term.writes).toEqual([]);
    expect(s.sent.map(([n]) => n)).toEqual(['terminal:attach', 'terminal:ack', 'terminal:detach']);
    // A reconnect while detached does not attach again.
    s.serverSends('connect', undefined);
    expect(s.sent.filter(([n]) => n === 'terminal:attach')).toHaveLength(1);
    stream.show();
    expect(s.sent.at(-1)).toEqual(['terminal:attach', { ...ids, fromOffset: null }]);
  });

  it('writes the reason a terminal ended', () => {
    const s = fakeSocket();
    const term = fakeTerminal();
    new TerminalStream(s.socket, 's1', 't1', term);
    s.serverSends('terminal:exit', { terminalId: 't1', exitCode: 0, reason: 'The workspace host went away.' });
    s.serverSends('terminal:exit', { terminalId: 't2', exitCode: 1 });
    expect(term.writes).toEqual(['\r\n\x1b[31mThe workspace host went away.\x1b[0m\r\n']);
  });

  it('detaches on dispose and writes nothing after', () => {
    const s = fakeSocket();
    const term = fakeTerminal();
    const stream = new TerminalStream(s.socket, 's1', 't1', term);
    stream.dispose();
    s.serverSends('terminal:data', data(0, 'late'));
    s.serverSends('connect', undefined);
    expect(term.writes).toEqual([]);
    expect(s.sent.map(([n]) => n)).toEqual(['terminal:attach', 'terminal:detach']);
    expect(s.events.eventNames()).toEqual([]);
  });
});
