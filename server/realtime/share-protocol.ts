// The share viewer's Socket.IO contract (namespace /share), shared with the browser as types only.
// Every event here only reads: there is no input, open, close, resize or message event, so a
// viewer's socket has nothing to write with; the main namespace needs a sign-in cookie.
import type { Ack, SessionEvent, TerminalData, TerminalInfo } from './protocol.ts';

/** Handshake: `io('/share', { auth: { token } })`. */
export interface ShareHandshake { token: string }

export interface ShareClientToServer {
  /** Every event after afterSeq, then live ones (as the member's session:follow). */
  'share:follow': (req: { afterSeq: number }, ack: Ack) => void;
  'share:terminals': (ack: Ack<{ terminals: TerminalInfo[] }>) => void;
  /** Watch a terminal's output (read-only): from fromOffset, or all retained when null. */
  'share:terminal:watch': (req: { terminalId: string; fromOffset: number | null }, ack: Ack) => void;
  'share:terminal:unwatch': (req: { terminalId: string }) => void;
  /** Characters of a watched terminal rendered (every TERMINAL_ACK_CHARS): a viewer behind by a window is sent nothing until it catches up. */
  'share:terminal:ack': (req: { terminalId: string; chars: number }) => void;
}

export interface ShareServerToClient {
  'share:event': (event: SessionEvent) => void;
  'share:terminal:data': (data: TerminalData) => void;
  'share:terminal:exit': (e: { terminalId: string; exitCode: number }) => void;
  /** Live text of the agent's current reply, as members get it (agent:delta); the whole message arrives later as an event. */
  'share:agent:delta': (d: { runId: string; step: number; text: string }) => void;
  /** The link was revoked or expired: the server disconnects right after. */
  'share:ended': (e: { reason: string }) => void;
}
