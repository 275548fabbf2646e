// The Socket.IO contract, shared with the browser: types, and the few limits both sides must agree on
// (this file may hold no other values and import nothing but types).
import type { SessionEvent } from '../sessions/event-types.ts';

/** Socket.IO's cap on one message (its `maxHttpBufferSize`): a bigger one drops the connection. */
export const MAX_SOCKET_MESSAGE_BYTES = 1024 * 1024;
/**
 * The browser splits terminal input (a paste) into messages of at most this many UTF-16 units.
 * Even fully escaped in JSON (6 bytes a unit, `\u0001`) one message stays under the cap above.
 */
export const TERMINAL_INPUT_CHUNK_CHARS = 128 * 1024;

/** A browser acknowledges terminal output in steps of this many rendered characters (VS Code's CharCountAckSize; flow control: pty-flow.ts). */
export const TERMINAL_ACK_CHARS = 5_000;

/** The share viewer's Socket.IO namespace (its contract: share-protocol.ts). */
export const SHARE_NAMESPACE = '/share';

export type Ack<T = object> = (result: ({ ok: true } & T) | { ok: false; error: string }) => void;

export interface TerminalInfo {
  id: string; title: string; exited: boolean;
  /** Set when the terminal ended with its workspace host rather than its program (a restart it did not survive), in words. */
  ended?: string;
  /** Members' list: the person whose input the terminal takes (everyone else watches); null: anyone's. */
  controller?: { id: string; name: string } | null;
}

export interface PresenceEntry { userId: string; name: string; file: string | null }

/** Pty output: bytes [start, end) of the terminal's output since it started. */
export interface TerminalData {
  terminalId: string;
  start: number;
  end: number;
  data: string;
  /** Set when the bytes asked for had already left the terminal's scrollback buffer. */
  truncated?: boolean;
}

type Terminal = { sessionId: string; terminalId: string };

export interface ClientToServer {
  /** Receive every event after `afterSeq`, then live ones. Reconnect = follow again from the last seq seen. */
  'session:follow': (req: { sessionId: string; afterSeq: number }, ack: Ack) => void;
  'session:unfollow': (req: { sessionId: string }) => void;

  'terminal:list': (req: { sessionId: string }, ack: Ack<{ terminals: TerminalInfo[] }>) => void;
  'terminal:open': (req: { sessionId: string; cols: number; rows: number }, ack: Ack<{ terminal: TerminalInfo }>) => void;
  /** Stream output from `fromOffset` (the `end` of the last chunk rendered), or everything retained when null. */
  'terminal:attach': (req: Terminal & { fromOffset: number | null }, ack: Ack) => void;
  'terminal:detach': (req: Terminal) => void;
  'terminal:input': (req: Terminal & { data: string }) => void;
  'terminal:resize': (req: Terminal & { cols: number; rows: number }) => void;
  /** Flow control: the client has rendered this many more characters. */
  'terminal:ack': (req: Terminal & { chars: number }) => void;
  'terminal:close': (req: Terminal, ack: Ack) => void;
  /** Move input control of the terminal to me; recorded as a terminal.control event, which tells everyone. */
  'terminal:takeover': (req: Terminal, ack: Ack) => void;
  /** I am here, with this file open (null: none); or, with file undefined, I left. Reaches everyone following the session. */
  'presence:set': (req: { sessionId: string; file?: string | null }, ack: Ack<{ people: PresenceEntry[] }>) => void;
  /** Admins only: be told when the team's approval queue changes (then read it with approvals.queue). */
  'approvals:watch': (ack: Ack) => void;
}

export interface ServerToClient {
  'session:event': (event: SessionEvent) => void;
  'terminal:data': (data: TerminalData) => void;
  /** `reason`: the terminal ended with its workspace host, not its program, in words. */
  'terminal:exit': (e: { terminalId: string; exitCode: number; reason?: string }) => void;
  /** Input from this socket was not applied (someone else has control), in words. */
  'terminal:refused': (e: { terminalId: string; error: string }) => void;
  /** Live text of the agent's current message; the whole message arrives later as an event. */
  'agent:delta': (d: { sessionId: string; runId: string; step: number; text: string }) => void;
  /** Files changed on disk (terminal, agent, another browser): refresh what is shown. */
  'files:changed': (e: { sessionId: string; paths: string[] }) => void;
  /** Who is in a session now (one entry per person), and the file each has open. */
  'presence:changed': (e: { sessionId: string; people: PresenceEntry[] }) => void;
  /** The team's approval queue changed (admins who asked with approvals:watch). Carries no detail. */
  'approvals:changed': () => void;
}

export type { SessionEvent };
