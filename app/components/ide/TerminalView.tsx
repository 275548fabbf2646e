'use client';
import { useEffect, useRef } from 'react';
import '@xterm/xterm/css/xterm.css';
import type { TerminalData } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import { tabMovesFocus } from '../../lib/tab-focus-mode.ts';
import { splitTerminalInput } from '../../lib/terminal-input.ts';

/** Rendered characters are acknowledged in batches of this size (VS Code's CharCountAckSize). */
const ACK_BATCH_CHARS = 5_000;

/**
 * One xterm.js terminal bound to a server pty. It resumes from the last byte it rendered on a
 * socket reconnect, and from the start of the server's scrollback after a page load.
 */
export function TerminalView({ sessionId, terminalId, label, active }: { sessionId: string; terminalId: string; label: string; active: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const fitRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    let disposed = false;
    const cleanups: (() => void)[] = [];
    (async () => {
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }, { SearchAddon }] = await Promise.all([
        import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/addon-web-links'), import('@xterm/addon-search'),
      ]);
      if (disposed || !host.current) return;
      const styles = getComputedStyle(document.documentElement);
      const term = new Terminal({
        cursorBlink: true, fontSize: 13, scrollback: 5000, allowProposedApi: false,
        fontFamily: styles.getPropertyValue('--mono') || 'monospace',
        theme: { background: styles.getPropertyValue('--term-bg').trim() || '#111317', foreground: styles.getPropertyValue('--term-fg').trim() || '#e4e7ec' },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.loadAddon(new WebLinksAddon());
      term.loadAddon(new SearchAddon());
      term.open(host.current);
      // Copy like desktop terminals: Ctrl+Shift+C always, Ctrl/Cmd+C when text is selected
      // (otherwise Ctrl+C reaches the program as an interrupt). Paste is the browser's own.
      term.attachCustomKeyEventHandler((e) => {
        // With "Tab moves focus" on (Ctrl+M), Tab is left to the browser so focus can leave the terminal.
        if (e.key === 'Tab' && tabMovesFocus()) return false;
        const copy = e.type === 'keydown' && e.key.toLowerCase() === 'c' && ((e.ctrlKey && e.shiftKey) || ((e.ctrlKey || e.metaKey) && term.hasSelection()));
        if (!copy) return true;
        void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
        term.clearSelection();
        return false;
      });
      try {
        const { WebglAddon } = await import('@xterm/addon-webgl');
        const webgl = new WebglAddon();
        webgl.onContextLoss(() => webgl.dispose());
        term.loadAddon(webgl);
      } catch {
        // No WebGL (headless, old GPU): the DOM renderer is slower but correct.
      }
      const socket = getSocket();
      const ids = { sessionId, terminalId };
      // The `end` of the last chunk rendered: a reconnect resumes exactly there. Null until
      // something has been rendered, which asks for everything the server still holds.
      let nextOffset: number | null = null;
      let unacked = 0;

      const onData = (d: TerminalData) => {
        if (d.terminalId !== terminalId) return;
        if (nextOffset !== null && d.end <= nextOffset) return; // already rendered (reconnect race)
        if (d.truncated) term.write('\r\n\x1b[2m[earlier output truncated]\x1b[0m\r\n');
        nextOffset = d.end;
        term.write(d.data, () => {
          unacked += d.data.length;
          if (unacked >= ACK_BATCH_CHARS) {
            socket.emit('terminal:ack', { ...ids, chars: unacked });
            unacked = 0;
          }
        });
      };
      const attach = () => socket.emit('terminal:attach', { ...ids, fromOffset: nextOffset }, (res) => {
        if (!res.ok) term.write(`\r\n\x1b[31m${res.error}\x1b[0m\r\n`);
      });
      const onExit = (e: { terminalId: string; exitCode: number; reason?: string }) => {
        if (e.terminalId !== terminalId) return;
        // A reason: the terminal ended with its workspace host (not its program); say how.
        term.write(e.reason ? `\r\n\x1b[31m${e.reason}\x1b[0m\r\n` : `\r\n\x1b[2m[process exited with code ${e.exitCode}]\x1b[0m\r\n`);
      };
      socket.on('terminal:data', onData);
      socket.on('terminal:exit', onExit);
      socket.on('connect', attach);
      if (socket.connected) attach();

      const input = term.onData((data) => {
        for (const piece of splitTerminalInput(data)) socket.emit('terminal:input', { ...ids, data: piece });
      });
      const resize = term.onResize(({ cols, rows }) => socket.emit('terminal:resize', { ...ids, cols, rows }));
      fitRef.current = () => { try { fit.fit(); } catch { /* hidden: no size */ } };
      fitRef.current();
      const observer = new ResizeObserver(() => fitRef.current?.());
      observer.observe(host.current);

      cleanups.push(() => {
        observer.disconnect();
        input.dispose();
        resize.dispose();
        socket.off('terminal:data', onData);
        socket.off('terminal:exit', onExit);
        socket.off('connect', attach);
        socket.emit('terminal:detach', ids);
        term.dispose();
      });
    })();
    return () => {
      disposed = true;
      cleanups.forEach((c) => c());
    };
  }, [sessionId, terminalId]);

  useEffect(() => { if (active) fitRef.current?.(); }, [active]);

  return <div ref={host} role="region" aria-label={label} className="terminal-host" hidden={!active} />;
}
