'use client';
// A session page's terminals are asked for when the page's code first runs, before React has
// rendered anything: the socket starts connecting and the list is on its way while the page
// hydrates, instead of after the terminal panel mounts (a round trip, and under load the socket's
// whole handshake, taken off the time to the shell's prompt).
import type { Ack, TerminalInfo } from '../../server/realtime/protocol.ts';
import { routeKey } from './route-key.ts';
import { getSocket } from './socket.ts';

export type TerminalListAnswer = Parameters<Ack<{ terminals: TerminalInfo[] }>>[0];

let early: { sessionId: string; answer: Promise<TerminalListAnswer>; taken: boolean } | null = null;

/** Asks for the terminals of the session this page shows, once per page load. */
export function listTerminalsEarly(): void {
  const key = routeKey();
  if (!key || early) return;
  const sessionId = decodeURIComponent(key);
  early = { sessionId, answer: new Promise((resolve) => getSocket().emit('terminal:list', { sessionId }, resolve)), taken: false };
}

/**
 * The early answer for this session, handed out once: the panel's first list. Later lists (a
 * reconnect) ask again, since the terminals may have changed meanwhile.
 */
export function takeEarlyTerminalList(sessionId: string): Promise<TerminalListAnswer> | null {
  if (early?.sessionId !== sessionId || early.taken) return null;
  early.taken = true;
  return early.answer;
}
