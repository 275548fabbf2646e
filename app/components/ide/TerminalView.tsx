'use client';
import { useEffect, useRef } from 'react';
import '@xterm/xterm/css/xterm.css';
import { TERMINAL_ACK_CHARS, type TerminalData } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import { tabMovesFocus } from '../../lib/tab-focus-mode.ts';
import { firstTerminalSettled } from '../../lib/terminal-first-paint.ts';
import { terminalModules } from '../../lib/terminal-modules.ts';
import { MAX_HIDDEN_CHARS, TerminalOutput } from '../../lib/terminal-output.ts';
import type { TerminalSettings } from '../../lib/terminal-settings.ts';
import { splitTerminalInput } from '../../lib/terminal-input.ts';

// Fetch xterm.js while the page hydrates rather than after the first terminal mounts.
if (typeof window !== 'undefined') void terminalModules();

/** What the view's effects share with the ones that follow prop changes. */
interface Live { setBlink(on: boolean): void; show(): void; hide(): void; setInControl(on: boolean): void }

/**
 * One xterm.js terminal bound to a server pty. It resumes from the last byte it received on a
 * socket reconnect, and from the start of the server's scrollback after a page load. Output goes
 * straight from the socket to xterm (app/lib/terminal-output.ts), never through React state.
 * `inControl` false: someone else types here; this view only watches (no input, no resizes; the
 * server would refuse both anyway).
 */
export function TerminalView({ sessionId, terminalId, label, active, settings, inControl }: {
  sessionId: string; terminalId: string; label: string; active: boolean; settings: TerminalSettings; inControl: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const live = useRef<Live | null>(null);
  // Read when the terminal is built; later changes reach it through the effects below.
  const initial = useRef({ active, settings, inControl });
  useEffect(() => { initial.current = { active, settings, inControl }; });

  useEffect(() => {
    let disposed = false;
    const cleanups: (() => void)[] = [];
    (async () => {
      const { Terminal, FitAddon, WebLinksAddon, SearchAddon } = await terminalModules();
      if (disposed || !host.current) return;
      const styles = getComputedStyle(document.documentElement);
      let inControl = initial.current.inControl;
      const term = new Terminal({
        disableStdin: !inControl,
        cursorBlink: initial.current.settings.cursorBlink, fontSize: 13, scrollback: 5000, allowProposedApi: false,
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
      const socket = getSocket();
      const ids = { sessionId, terminalId };
      let unacked = 0;
      let painted = false;
      // Hidden and past its held-output bound: not attached until shown (a reconnect leaves it so).
      let detached = false;
      const output = new TerminalOutput(
        {
          write: (data, parsed) => term.write(data, () => {
            parsed();
            if (!painted) { painted = true; firstTerminalSettled(); }
          }),
        },
        {
          maxHiddenChars: MAX_HIDDEN_CHARS,
          onConsumed: (chars) => {
            unacked += chars;
            if (unacked < TERMINAL_ACK_CHARS) return;
            socket.emit('terminal:ack', { ...ids, chars: unacked });
            unacked = 0;
          },
          onOverflow: () => {
            detached = true;
            socket.emit('terminal:detach', ids);
          },
        },
      );
      const onData = (d: TerminalData) => { if (d.terminalId === terminalId) output.push(d); };
      const attach = () => {
        if (detached) return;
        socket.emit('terminal:attach', { ...ids, fromOffset: output.resumeOffset }, (res) => {
          if (!res.ok) term.write(`\r\n\x1b[31m${res.error}\x1b[0m\r\n`);
        });
      };
      const onExit = (e: { terminalId: string; exitCode: number; reason?: string }) => {
        if (e.terminalId !== terminalId) return;
        // A reason: the terminal ended with its workspace host (not its program); say how.
        term.write(e.reason ? `\r\n\x1b[31m${e.reason}\x1b[0m\r\n` : `\r\n\x1b[2m[process exited with code ${e.exitCode}]\x1b[0m\r\n`);
      };
      const refit = () => { try { fit.fit(); } catch { /* hidden: no size */ } };
      live.current = {
        setBlink: (on) => { term.options.cursorBlink = on; },
        setInControl: (on) => {
          if (on === inControl) return;
          inControl = on;
          term.options.disableStdin = !on;
          // The pty's size follows whoever has control: now this screen's.
          if (on) socket.emit('terminal:resize', { ...ids, cols: term.cols, rows: term.rows });
        },
        hide: () => output.hide(),
        show: () => {
          refit();
          const reread = output.show();
          if (!reread) return;
          // Held output overflowed while hidden: read it again from the server's scrollback.
          unacked = 0;
          if (!detached) socket.emit('terminal:detach', ids);
          detached = false;
          attach();
        },
      };
      if (!initial.current.active) output.hide();
      socket.on('terminal:data', onData);
      socket.on('terminal:exit', onExit);
      socket.on('connect', attach);
      if (socket.connected) attach();
      if (initial.current.settings.renderer === 'webgl') {
        // After the attach: the shell's first output is drawn by the DOM renderer rather than wait
        // for this chunk and a GL context; the WebGL renderer takes over the screen once it is ready.
        import('@xterm/addon-webgl').then(({ WebglAddon }) => {
          if (disposed) return;
          const webgl = new WebglAddon();
          webgl.onContextLoss(() => webgl.dispose());
          term.loadAddon(webgl);
        }).catch(() => { /* No WebGL (headless, old GPU): the DOM renderer is correct too. */ });
      }

      const input = term.onData((data) => {
        if (!inControl) return;
        for (const piece of splitTerminalInput(data)) socket.emit('terminal:input', { ...ids, data: piece });
      });
      const resize = term.onResize(({ cols, rows }) => { if (inControl) socket.emit('terminal:resize', { ...ids, cols, rows }); });
      refit();
      const observer = new ResizeObserver(refit);
      observer.observe(host.current);

      cleanups.push(() => {
        live.current = null;
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

  useEffect(() => {
    if (active) live.current?.show();
    else live.current?.hide();
  }, [active]);
  useEffect(() => { live.current?.setBlink(settings.cursorBlink); }, [settings.cursorBlink]);
  useEffect(() => { live.current?.setInControl(inControl); }, [inControl]);

  return <div ref={host} role="region" aria-label={label} className="terminal-host" hidden={!active} />;
}
