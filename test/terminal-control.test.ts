// The browser's view of who controls each terminal (app/lib/terminal-control.ts): the list, then
// the take-overs in the session's event stream.
import { describe, expect, it } from 'vitest';
import { terminalControls } from '../app/lib/terminal-control.ts';
import type { SessionEvent, TerminalInfo } from '../server/realtime/protocol.ts';

const listed: TerminalInfo[] = [
  { id: 't1', title: 'Terminal 1', exited: false, controller: { id: 'max', name: 'Max' } },
  { id: 't2', title: 'Terminal 2', exited: false, controller: null },
];
let seq = 0;
const control = (terminalId: string, from: string | null, to: string, toName: string): SessionEvent => ({
  id: `e${++seq}`, sessionId: 's', seq, type: 'terminal.control', actorKind: 'user', actorId: to, createdAt: new Date(0).toISOString(),
  payload: { terminalId, from, to, toName, message: `${toName} took over ${terminalId}.` }, prevHash: '', hash: '',
});

describe('terminalControls', () => {
  it('starts from the list and follows take-overs; the one taken from is told by whom', () => {
    expect(terminalControls(listed, [], 'max').get('t1')).toEqual({ controller: { id: 'max', name: 'Max' }, takenFromMeBy: null });
    const events = [control('t1', 'max', 'ada', 'Ada')];
    expect(terminalControls(listed, events, 'max').get('t1')).toEqual({ controller: { id: 'ada', name: 'Ada' }, takenFromMeBy: 'Ada' });
    expect(terminalControls(listed, events, 'ada').get('t1')).toEqual({ controller: { id: 'ada', name: 'Ada' }, takenFromMeBy: null });
    // Taken back: the notice goes to the other one; a terminal nobody controls stays so.
    const back = [...events, control('t1', 'ada', 'max', 'Max')];
    expect(terminalControls(listed, back, 'max').get('t1')).toEqual({ controller: { id: 'max', name: 'Max' }, takenFromMeBy: null });
    expect(terminalControls(listed, back, 'ada').get('t1')?.takenFromMeBy).toBe('Max');
    expect(terminalControls(listed, back, 'max').get('t2')).toEqual({ controller: null, takenFromMeBy: null });
  });

  it('ignores take-overs of terminals no longer listed', () => {
    expect(terminalControls(listed, [control('gone', 'max', 'ada', 'Ada')], 'max').has('gone')).toBe(false);
  });
});
