// The page's early terminal (app/lib/terminal-boot.ts): which terminal it makes and attaches
// before React renders, and that it is handed out once, so no terminal is attached twice.
import { describe, expect, it } from 'vitest';
import type { TerminalInfo } from '../server/realtime/protocol.ts';
import { frontTerminal, TerminalBoot } from '../app/lib/terminal-boot.ts';
import type { StreamSocket } from '../app/lib/terminal-stream.ts';
import type { TerminalModules } from '../app/lib/terminal-xterm.ts';

const info = (id: string): TerminalInfo => ({ id, title: id, exited: false } as unknown as TerminalInfo);

function setup(terminals: TerminalInfo[] | null, remembered: string | null = null) {
  const sent: [string, unknown][] = [];
  const socket = {
    connected: true,
    on: () => socket, off: () => socket,
    emit: (name: string, req: unknown, ack?: (r: unknown) => void) => {
      sent.push([name, req]);
      if (name === 'terminal:list') ack?.(terminals ? { ok: true, terminals } : { ok: false, error: 'No.' });
      return true;
    },
  };
  const made: string[] = [];
  class Terminal { write() {} constructor() { made.push('xterm'); } }
  const modules = Promise.resolve({ Terminal } as unknown as Pick<TerminalModules, 'Terminal'>);
  const boot = new TerminalBoot('s1', socket as unknown as StreamSocket, modules, { cursorBlink: false, renderer: 'dom' }, remembered);
  return { boot, sent, made };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('frontTerminal', () => {
  it('is the remembered terminal while it is listed, else the first', () => {
    expect(frontTerminal([info('a'), info('b')], 'b')).toBe('b');
    expect(frontTerminal([info('a'), info('b')], 'gone')).toBe('a');
    expect(frontTerminal([], 'b')).toBeNull();
  });
});

describe('TerminalBoot', () => {
  it('attaches the terminal in front once listed, and hands it to its view once', async () => {
    const t = setup([info('a'), info('b')], 'b');
    await settle();
    expect(t.sent).toEqual([['terminal:list', { sessionId: 's1' }], ['terminal:attach', { sessionId: 's1', terminalId: 'b', fromOffset: null }]]);
    expect(t.boot.adopt('s1', 'a')).toBeNull();
    const booted = await t.boot.adopt('s1', 'b');
    expect(booted?.term).toBeDefined();
    expect(t.boot.adopt('s1', 'b')).toBeNull();
    expect(t.made).toEqual(['xterm']);
  });

  it('is known to the view as soon as the panel has the list, before xterm.js is made', async () => {
    const t = setup([info('a')]);
    const list = t.boot.takeList('s1');
    await list?.answer;
    // The panel renders its views from this answer; the view asks for its terminal right away.
    const adopted = t.boot.adopt('s1', 'a');
    expect(adopted).not.toBeNull();
    expect((await adopted)?.stream).toBeDefined();
  });

  it('hands the early list out once, and only for its session', async () => {
    const t = setup([info('a')]);
    expect(t.boot.takeList('other')).toBeNull();
    expect(await t.boot.takeList('s1')?.answer).toEqual({ ok: true, terminals: [info('a')] });
    expect(t.boot.takeList('s1')).toBeNull();
  });

  it('gives the panel the list itself once it has come, so its first render shows the terminals', async () => {
    const t = setup([info('a')]);
    await settle();
    expect(t.boot.takeList('s1')?.settled).toEqual({ ok: true, terminals: [info('a')] });
  });

  it('makes nothing when the session has no terminal or the list failed', async () => {
    for (const terminals of [[], null]) {
      const t = setup(terminals);
      await settle();
      expect(t.sent.map(([n]) => n)).toEqual(['terminal:list']);
      expect(t.made).toEqual([]);
    }
  });
});
