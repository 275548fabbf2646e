// One terminal's link to its server pty, free of React and of the DOM: it attaches (the server
// replays its scrollback, then live output), writes the output into xterm.js through
// TerminalOutput, acknowledges what xterm parsed (the server's flow control), re-attaches from the
// last byte after a reconnect, and detaches. The only object that attaches a terminal, so the
// replay and the acks are counted once whether the stream was started by the page's early boot
// (app/lib/terminal-boot.ts) or by TerminalView.
import { TERMINAL_ACK_CHARS, type TerminalData } from '../../server/realtime/protocol.ts';
import type { TetherSocket } from './socket.ts';
import { MAX_HIDDEN_CHARS, TerminalOutput } from './terminal-output.ts';

export type StreamSocket = Pick<TetherSocket, 'on' | 'off' | 'emit' | 'connected'>;

/** What the stream needs of xterm.js: `write` calls back once the data has been parsed. */
export interface StreamTerminal { write(data: string, parsed?: () => void): void }

export class TerminalStream {
  private readonly ids: { sessionId: string; terminalId: string };
  private readonly output: TerminalOutput;
  private unacked = 0;
  /** Hidden and past its held-output bound: not attached until shown (a reconnect leaves it so). */
  private detached = false;
  private parsedAny = false;
  private waitingForOutput: (() => void)[] = [];

  constructor(private readonly socket: StreamSocket, sessionId: string, terminalId: string, private readonly term: StreamTerminal, { hidden = false } = {}) {
    this.ids = { sessionId, terminalId };
    this.output = new TerminalOutput(
      { write: (data, parsed) => term.write(data, () => { parsed(); this.firstOutputParsed(); }) },
      {
        maxHiddenChars: MAX_HIDDEN_CHARS,
        onConsumed: (chars) => {
          this.unacked += chars;
          if (this.unacked < TERMINAL_ACK_CHARS) return;
          socket.emit('terminal:ack', { ...this.ids, chars: this.unacked });
          this.unacked = 0;
        },
        onOverflow: () => {
          this.detached = true;
          socket.emit('terminal:detach', this.ids);
        },
      },
    );
    if (hidden) this.output.hide();
    socket.on('terminal:data', this.onData);
    socket.on('terminal:exit', this.onExit);
    socket.on('connect', this.attach);
    if (socket.connected) this.attach();
  }

  /** Calls `f` once output has been parsed into the terminal: at once if it already was. */
  afterFirstOutput(f: () => void): void {
    if (this.parsedAny) f();
    else this.waitingForOutput.push(f);
  }

  /** Stop parsing output: it is held until `show`. */
  hide(): void { this.output.hide(); }

  show(): void {
    const reread = this.output.show();
    if (!reread) return;
    // Held output overflowed while hidden: read it again from the server's scrollback.
    this.unacked = 0;
    if (!this.detached) this.socket.emit('terminal:detach', this.ids);
    this.detached = false;
    this.attach();
  }

  dispose(): void {
    this.socket.off('terminal:data', this.onData);
    this.socket.off('terminal:exit', this.onExit);
    this.socket.off('connect', this.attach);
    this.socket.emit('terminal:detach', this.ids);
  }

  private readonly onData = (d: TerminalData) => { if (d.terminalId === this.ids.terminalId) this.output.push(d); };

  private readonly onExit = (e: { terminalId: string; exitCode: number; reason?: string }) => {
    if (e.terminalId !== this.ids.terminalId) return;
    // A reason: the terminal ended with its workspace host (not its program); say how.
    this.term.write(e.reason ? `\r\n\x1b[31m${e.reason}\x1b[0m\r\n` : `\r\n\x1b[2m[process exited with code ${e.exitCode}]\x1b[0m\r\n`);
  };

  private readonly attach = () => {
    if (this.detached) return;
    this.socket.emit('terminal:attach', { ...this.ids, fromOffset: this.output.resumeOffset }, (res) => {
      if (!res.ok) this.term.write(`\r\n\x1b[31m${res.error}\x1b[0m\r\n`);
    });
  };

  private firstOutputParsed() {
    if (this.parsedAny) return;
    this.parsedAny = true;
    this.waitingForOutput.splice(0).forEach((f) => f());
  }
}
