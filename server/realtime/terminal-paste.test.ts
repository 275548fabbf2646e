// A ~1 MiB paste into a terminal, sent the way the browser sends it, arrives whole and keeps the socket.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { splitTerminalInput } from '../../app/lib/terminal-input.ts';
import { createProvisionedSession, setupAdminAndMember, startTestApp, type TestApp } from '../../test/support/app.ts';
import { MAX_SOCKET_MESSAGE_BYTES, TERMINAL_INPUT_CHUNK_CHARS, type TerminalData } from './protocol.ts';

const open = (app: TestApp, cookie: string): Promise<Socket> => new Promise((resolve, reject) => {
  const s = connect(app.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: app.url } });
  s.on('connect', () => resolve(s));
  s.on('connect_error', reject);
});

describe('splitting terminal input', () => {
  it('keeps the text, cuts at the size, and never between the halves of a surrogate pair', () => {
    expect(splitTerminalInput('')).toEqual([]);
    expect(splitTerminalInput('abcdef', 4)).toEqual(['abcd', 'ef']);
    const pieces = splitTerminalInput('abc😀def', 4); // the emoji is units 3 and 4
    expect(pieces).toEqual(['abc', '😀de', 'f']);
    expect(pieces.join('')).toBe('abc😀def');
  });
});

describe('pasting into a terminal', () => {
  let app: TestApp;
  let socket: Socket;
  let sessionId: string;
  let workspaceDir: string;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const { member, memberCookie } = await setupAdminAndMember(app);
    const session = await createProvisionedSession(member);
    sessionId = session.id;
    workspaceDir = (await app.provider.paths(session.workspace.id))!.files;
    socket = await open(app, memberCookie);
  });
  afterAll(async () => { socket?.close(); await app?.close(); });

  async function openTerminal() {
    const opened = await socket.emitWithAck('terminal:open', { sessionId, cols: 120, rows: 30 });
    expect(opened.ok).toBe(true);
    const terminalId = opened.terminal.id as string;
    let output = '';
    socket.on('terminal:data', (d: TerminalData) => {
      if (d.terminalId !== terminalId) return;
      output += d.data;
      socket.emit('terminal:ack', { sessionId, terminalId, chars: d.data.length });
    });
    expect(await socket.emitWithAck('terminal:attach', { sessionId, terminalId, fromOffset: null })).toEqual({ ok: true });
    return { terminalId, output: () => output };
  }

  it('keeps every byte of a 1 MiB paste and the connection', async () => {
    const { terminalId, output } = await openTerminal();
    const type = (data: string) => { for (const piece of splitTerminalInput(data)) socket.emit('terminal:input', { sessionId, terminalId, data: piece }); };
    // Without echo, and line by line, so the pty's line discipline passes the paste through as is.
    // Paste only once the shell has left its line editor (raw mode) and cat reads the canonical tty.
    type('stty -echo; echo "READY-$((6*7))"; cat > paste.txt; echo "SAVED-$((6*7))"\r');
    await expect.poll(() => output().includes('READY-42'), { timeout: 15_000 }).toBe(true);
    const lines = Array.from({ length: 19_000 }, (_, i) => `line ${String(i).padStart(6, '0')} ${'é'.repeat(24)} ${'x'.repeat(20)}`);
    const paste = `${lines.join('\n')}\n`;
    expect(paste.length).toBeGreaterThan(1024 * 1024);
    let dropped = '';
    socket.on('disconnect', (reason) => { dropped = reason; });
    type(paste);
    type('\x04');
    await expect.poll(() => output().includes('SAVED-42'), { timeout: 30_000 }).toBe(true);
    expect(dropped).toBe('');
    expect(socket.connected).toBe(true);
    expect(readFileSync(path.join(workspaceDir, 'paste.txt'), 'utf8')).toBe(paste);
  });

  it('accepts the largest piece the browser sends even in the most expensive encoding', async () => {
    const { terminalId, output } = await openTerminal();
    // Every unit escaped as \u0001 in JSON: six bytes each. Control bytes are swallowed by `cat > /dev/null`.
    expect(TERMINAL_INPUT_CHUNK_CHARS * 6 + 1024).toBeLessThan(MAX_SOCKET_MESSAGE_BYTES);
    socket.emit('terminal:input', { sessionId, terminalId, data: 'stty raw -echo; echo "READY-$((6*7))"; head -c 131072 > /dev/null; stty sane; echo "RAW-$((6*7))"\r' });
    await expect.poll(() => output().includes('READY-42'), { timeout: 15_000 }).toBe(true);
    socket.emit('terminal:input', { sessionId, terminalId, data: '\x01'.repeat(TERMINAL_INPUT_CHUNK_CHARS) });
    await expect.poll(() => output().includes('RAW-42'), { timeout: 30_000 }).toBe(true);
    expect(socket.connected).toBe(true);
  });
});
