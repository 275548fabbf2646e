// Who has input control of each terminal, as this browser knows it: the server's list names the
// controller when the terminal was listed, and terminal.control events (the session's event
// stream, so take-overs made through any instance reach every browser) move it. A take-over's
// event can only be newer than the opening the list reflects, so the last event wins. Pure.
import type { SessionEvent, TerminalInfo } from '../../server/realtime/protocol.ts';
import type { EventPayload } from '../../server/sessions/event-types.ts';

export interface TerminalControl {
  /** The person whose input the terminal takes; null: anyone's. */
  controller: { id: string; name: string } | null;
  /** Set when control was last taken from me: by whom, for the notice. */
  takenFromMeBy: string | null;
}

export function terminalControls(terminals: TerminalInfo[], events: SessionEvent[], me: string): Map<string, TerminalControl> {
  const out = new Map<string, TerminalControl>(terminals.map((t) => [t.id, { controller: t.controller ?? null, takenFromMeBy: null }]));
  for (const e of events) {
    if (e.type !== 'terminal.control') continue;
    const p = e.payload as EventPayload<'terminal.control'>;
    if (!out.has(p.terminalId)) continue;
    out.set(p.terminalId, { controller: { id: p.to, name: p.toName }, takenFromMeBy: p.from === me && p.to !== me ? p.toName : null });
  }
  return out;
}
