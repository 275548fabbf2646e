// The Socket.IO contract, shared (as types only) with the browser.
import type { SessionEvent } from '../sessions/event-types.ts';

export type Ack<T = object> = (result: ({ ok: true } & T) | { ok: false; error: string }) => void;

export interface ClientToServer {
  /** Receive every event after `afterSeq`, then live ones. Reconnect = follow again from the last seq seen. */
  'session:follow': (req: { sessionId: string; afterSeq: number }, ack: Ack) => void;
  'session:unfollow': (req: { sessionId: string }) => void;
}

export interface ServerToClient {
  'session:event': (event: SessionEvent) => void;
}

export type { SessionEvent };
