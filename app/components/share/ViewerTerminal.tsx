'use client';
import { useEffect, useRef } from 'react';
import '@xterm/xterm/css/xterm.css';
import { TERMINAL_ACK_CHARS } from '../../../server/realtime/protocol.ts';
import type { ShareSocket } from './useShareStream.ts';

/**
 * One terminal's output, watched through the share socket. The terminal takes no input: stdin is
 * disabled here, and the share namespace has no input event for it to reach anyway.
 */
export function ViewerTerminal({ socket, terminalId, title }: { socket: ShareSocket; terminalId: string; title: string }) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let disposed = false;
    const cleanups: (() => void)[] = [];
    (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);
      if (disposed || !host.current) return;
      const styles = getComputedStyle(document.documentElement);
      const term = new Terminal({
        disableStdin: true, cursorBlink: false, fontSize: 13, scrollback: 5000,
        fontFamily: styles.getPropertyValue('--mono') || 'monospace',
        theme: { background: styles.getPropertyValue('--term-bg').trim() || '#111317', foreground: styles.getPropertyValue('--term-fg').trim() || '#e4e7ec' },
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      let nextOffset: number | null = null;
      // Acknowledged as rendered: a viewer that falls behind is sent nothing until it catches up
      // (and never slows the terminal for its members).
      let rendered = 0;
      const onData = (d: { terminalId: string; end: number; data: string; truncated?: boolean }) => {
        if (d.terminalId !== terminalId) return;
        if (d.truncated) term.write('\r\n[earlier output was dropped from the server’s buffer]\r\n');
        term.write(d.data, () => {
          rendered += d.data.length;
          if (rendered < TERMINAL_ACK_CHARS) return;
          socket.emit('share:terminal:ack', { terminalId, chars: rendered });
          rendered = 0;
        });
        nextOffset = d.end;
      };
      const watch = () => {
        rendered = 0; // a new attachment counts from its own replay
        socket.emit('share:terminal:watch', { terminalId, fromOffset: nextOffset }, (r) => { if (!r.ok) term.write(`\r\n[${r.error}]\r\n`); });
      };
      socket.on('share:terminal:data', onData);
      socket.on('connect', watch);
      if (socket.connected) watch();
      cleanups.push(() => {
        socket.off('share:terminal:data', onData);
        socket.off('connect', watch);
        socket.emit('share:terminal:unwatch', { terminalId });
        term.dispose();
      });
    })();
    return () => { disposed = true; for (const c of cleanups) c(); };
  }, [socket, terminalId]);

  return (
    <section className="panel share-terminal" aria-label={`${title} (read-only)`}>
      <div className="panel-head"><strong>{title}</strong> <span className="muted small-text">read-only</span></div>
      <div className="share-terminal-screen"><div ref={host} className="share-terminal-xterm" /></div>
    </section>
  );
}
