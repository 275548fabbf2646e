import { TERMINAL_INPUT_CHUNK_CHARS } from '../../server/realtime/protocol.ts';

/**
 * Splits terminal input into pieces one socket message can carry, never between the two halves
 * of a surrogate pair. Socket.IO keeps a socket's messages in order, so the pty sees the same text.
 */
export function splitTerminalInput(data: string, max = TERMINAL_INPUT_CHUNK_CHARS): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < data.length;) {
    let end = Math.min(start + max, data.length);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(data.slice(start, end));
    start = end;
  }
  return pieces;
}
