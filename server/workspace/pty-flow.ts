// The bounds of one terminal's output, shared by the server (which acknowledges) and the workspace
// host (which buffers and pauses): flow control follows VS Code (platform/terminal/common/
// terminal.ts) with a wider window. Characters sent towards the browsers and not yet rendered are
// counted; above HIGH_WATERMARK_CHARS the host pauses the pty (the program blocks on write), below
// LOW_WATERMARK_CHARS it resumes.

/**
 * VS Code pauses at 100,000 and resumes at 5,000 chars, tuned for local IPC. Over a network the
 * window must cover the bandwidth-delay product: with a ~12 ms ack round trip through a browser,
 * 100,000 capped a flood at ~5 MiB/s (bench/ide-terminal.ts throughput). At 1,000,000 the browser
 * is the limit again, and the server still holds at most ~1 MB per slow client.
 */
export const HIGH_WATERMARK_CHARS = 1_000_000;
export const LOW_WATERMARK_CHARS = 500_000;
/** The server acknowledges to the host in steps of this many characters (browsers to the server: protocol.ts TERMINAL_ACK_CHARS). */
export const ACK_CHUNK_CHARS = 5_000;
/** Each pty's ring buffer in the host: what a reconnecting browser or a restarted server can replay. */
export const DEFAULT_SCROLLBACK_BYTES = 1024 * 1024;

export interface PtyFlow { scrollbackBytes: number; highWatermark: number; lowWatermark: number }
export const DEFAULT_PTY_FLOW: PtyFlow = {
  scrollbackBytes: DEFAULT_SCROLLBACK_BYTES, highWatermark: HIGH_WATERMARK_CHARS, lowWatermark: LOW_WATERMARK_CHARS,
};
