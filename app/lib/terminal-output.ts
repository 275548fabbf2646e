// The write path from the socket to xterm.js for one terminal, kept free of React and of the
// DOM so it can be tested on its own:
// - idle, a chunk goes to the terminal at once (no timer between a keystroke's echo and xterm);
// - while xterm is still parsing earlier output, new chunks are merged into one write, so a
//   flood costs one write per parse instead of one per socket message;
// - while the terminal is hidden, output is held (up to a bound) instead of parsed, so a flood in
//   a hidden tab does not take the main thread from the visible one. Past the bound the held
//   output is dropped and the stream stopped, and showing the terminal asks the server again from
//   the last byte that reached xterm: the server's scrollback is the source of truth, not this buffer.

/** Pty output as the server sends it: bytes [start, end) of the terminal's output. */
export interface OutputChunk { start: number; end: number; data: string; truncated?: boolean }

/** What xterm.js offers: `write` calls back once the data has been parsed. */
export interface TerminalSink { write(data: string, parsed: () => void): void }

export interface TerminalOutputOptions {
  /** Characters held for a hidden terminal before the held output is dropped. */
  maxHiddenChars: number;
  /** Characters parsed by xterm (or dropped while hidden): what the server's flow control waits for. */
  onConsumed(chars: number): void;
  /**
   * Held output started to be dropped: until shown, nothing more is needed (showing re-reads), so
   * the caller stops the stream and a flood in a hidden tab stops costing the page and the server.
   */
  onOverflow?(): void;
}

export const TRUNCATION_NOTE = '\r\n\x1b[2m[earlier output truncated]\x1b[0m\r\n';

/**
 * Bounded so a hidden flood never costs more than this much memory in the page; below the
 * server's flow-control window (1,000,000 unacknowledged chars) so the pty is never paused for a
 * tab nobody is looking at: held output is acknowledged as dropped once it passes the bound.
 */
export const MAX_HIDDEN_CHARS = 256 * 1024;

export class TerminalOutput {
  /** End offset of the newest chunk accepted (written, queued or held): duplicates end at or before it. */
  private acceptedEnd: number | null = null;
  /** End offset of the newest chunk handed to xterm: where a re-read resumes after held output was dropped. */
  private writtenEnd: number | null = null;
  private parsing = false;
  private queued: string[] = [];
  private visible = true;
  private held: string[] = [];
  private heldChars = 0;
  /** Held output was dropped: everything after `writtenEnd` must be read again from the server. */
  private dropped = false;

  constructor(private readonly sink: TerminalSink, private readonly options: TerminalOutputOptions) {}

  /** Where an attach resumes: null asks for all the server still holds. */
  get resumeOffset(): number | null { return this.acceptedEnd; }

  push(chunk: OutputChunk): void {
    if (this.acceptedEnd !== null && chunk.end <= this.acceptedEnd) return; // already have it (reconnect race)
    // Live output racing a re-read (sent before the server saw the new attach): the re-read's
    // replay starts where this terminal's output stopped and brings these bytes too.
    if (this.acceptedEnd !== null && chunk.start > this.acceptedEnd && !chunk.truncated) return;
    this.acceptedEnd = chunk.end;
    const text = chunk.truncated ? TRUNCATION_NOTE + chunk.data : chunk.data;
    if (this.visible) {
      this.writtenEnd = chunk.end;
      this.write(text);
      return;
    }
    if (this.dropped || this.heldChars + text.length > this.options.maxHiddenChars) {
      this.drop(text.length);
      return;
    }
    this.held.push(text);
    this.heldChars += text.length;
  }

  /** Stop parsing output: it is held until `show`. */
  hide(): void { this.visible = false; }

  /**
   * Parse what was held. Returns the offset to re-read from when held output had to be dropped
   * (the caller attaches again from there), or undefined when everything was held.
   */
  show(): { rereadFrom: number | null } | undefined {
    if (this.visible) return undefined;
    this.visible = true;
    if (this.dropped) {
      this.dropped = false;
      this.acceptedEnd = this.writtenEnd;
      return { rereadFrom: this.writtenEnd };
    }
    if (this.heldChars) {
      const text = this.held.join('');
      this.held = [];
      this.heldChars = 0;
      this.writtenEnd = this.acceptedEnd;
      this.write(text);
    }
    return undefined;
  }

  /** Drops what is held and the chunk that did not fit; acknowledged so the server keeps the pty running. */
  private drop(incomingChars: number) {
    const chars = this.heldChars + incomingChars;
    const first = !this.dropped;
    this.held = [];
    this.heldChars = 0;
    this.dropped = true;
    this.options.onConsumed(chars);
    if (first) this.options.onOverflow?.();
  }

  private write(text: string) {
    if (this.parsing) {
      this.queued.push(text);
      return;
    }
    this.parsing = true;
    this.sink.write(text, () => this.parsed(text.length));
  }

  private parsed(chars: number) {
    this.options.onConsumed(chars);
    if (!this.queued.length) {
      this.parsing = false;
      return;
    }
    const text = this.queued.join('');
    this.queued = [];
    this.sink.write(text, () => this.parsed(text.length));
  }
}
