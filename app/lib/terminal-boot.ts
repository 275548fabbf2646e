'use client';
// A session page's terminal starts when the page's code first runs, before React has rendered
// anything: the socket connects, the terminals are listed, and the one that will be in front is
// made (xterm.js, not yet on screen) and attached, so its scrollback is replayed and parsed while
// the page hydrates. TerminalView then adopts that terminal and its stream instead of making
// its own: one attach, one count of acks. The other terminals attach when their views mount.
import type { Terminal } from '@xterm/xterm';
import type { Ack, TerminalInfo } from '../../server/realtime/protocol.ts';
import { routeKey } from './route-key.ts';
import { getSocket } from './socket.ts';
import { terminalModules } from './terminal-modules.ts';
import { readTerminalSettings, type TerminalSettings } from './terminal-settings.ts';
import { TerminalStream, type StreamSocket } from './terminal-stream.ts';
import { rememberedActiveTerminal } from './terminal-visits.ts';
import { createTerminal, type TerminalModules } from './terminal-xterm.ts';

export type TerminalListAnswer = Parameters<Ack<{ terminals: TerminalInfo[] }>>[0];
export interface BootedTerminal { term: Terminal; stream: TerminalStream }
/** The early list as the panel takes it: `settled` is the answer if it has come already. */
export interface EarlyList { answer: Promise<TerminalListAnswer>; settled: TerminalListAnswer | null }

/** The terminal in front on a visit: the one this browser last had in front if still listed, else the first. */
export function frontTerminal(terminals: TerminalInfo[], remembered: string | null): string | null {
  return terminals.find((t) => t.id === remembered)?.id ?? terminals[0]?.id ?? null;
}

export class TerminalBoot {
  private readonly answer: Promise<TerminalListAnswer>;
  private settled: TerminalListAnswer | null = null;
  private listTaken = false;
  private booted: { terminalId: string; ready: Promise<BootedTerminal>; taken: boolean } | null = null;

  constructor(readonly sessionId: string, socket: StreamSocket, modules: Promise<Pick<TerminalModules, 'Terminal'>>, settings: TerminalSettings, remembered: string | null) {
    this.answer = new Promise((resolve) => socket.emit('terminal:list', { sessionId }, resolve));
    void this.answer.then((res) => {
      this.settled = res;
      const terminalId = res.ok ? frontTerminal(res.terminals, remembered) : null;
      if (!terminalId) return;
      // Known as soon as the list is: the panel renders its views from this same answer.
      const ready = modules.then((m) => {
        const term = createTerminal(m, settings);
        return { term, stream: new TerminalStream(socket, sessionId, terminalId, term) };
      });
      this.booted = { terminalId, ready, taken: false };
    });
  }

  /**
   * The early list, handed out once: the panel's first list. When it has come before the panel
   * renders (the usual case: it is asked for before hydration), the panel's first render shows
   * the terminals and the front one's view mounts in that same render. Later lists (a reconnect)
   * ask again, since the terminals may have changed meanwhile.
   */
  takeList(sessionId: string): EarlyList | null {
    if (sessionId !== this.sessionId || this.listTaken) return null;
    this.listTaken = true;
    return { answer: this.answer, settled: this.settled };
  }

  /** The terminal made early for this view, handed out once; null when the view makes its own. */
  adopt(sessionId: string, terminalId: string): Promise<BootedTerminal> | null {
    const b = this.booted;
    if (sessionId !== this.sessionId || b?.terminalId !== terminalId || b.taken) return null;
    b.taken = true;
    return b.ready;
  }
}

let boot: TerminalBoot | null = null;

/** Starts this page's terminal, once per page load, when the page shows a session. */
export function bootTerminal(): void {
  const key = routeKey();
  if (!key || boot) return;
  const sessionId = decodeURIComponent(key);
  boot = new TerminalBoot(sessionId, getSocket(), terminalModules(), readTerminalSettings(), rememberedActiveTerminal(sessionId));
}

export const takeEarlyTerminalList = (sessionId: string) => boot?.takeList(sessionId) ?? null;
export const adoptBootedTerminal = (sessionId: string, terminalId: string) => boot?.adopt(sessionId, terminalId) ?? null;
