'use client';
import { useEffect, useRef } from 'react';
import '@xterm/xterm/css/xterm.css';
import { getSocket } from '../../lib/socket.ts';
import { tabMovesFocus } from '../../lib/tab-focus-mode.ts';
import { adoptBootedTerminal } from '../../lib/terminal-boot.ts';
import { firstTerminalSettled } from '../../lib/terminal-first-paint.ts';
import { terminalModules } from '../../lib/terminal-modules.ts';
import type { TerminalSettings } from '../../lib/terminal-settings.ts';
import { splitTerminalInput } from '../../lib/terminal-input.ts';
import { TerminalStream } from '../../lib/terminal-stream.ts';
import { createTerminal, styleTerminal } from '../../lib/terminal-xterm.ts';

// Fetch xterm.js while the page hydrates rather than after the first terminal mounts.
if (typeof window !== 'undefined') void terminalModules();

/** What the view's effects share with the ones that follow prop changes. */
interface Live { setBlink(on: boolean): void; show(): void; hide(): void; setInControl(on: boolean): void }

/**
 * One xterm.js terminal bound to a server pty. It resumes from the last byte it received on a
 * socket reconnect, and from the start of the server's scrollback after a page load. Output goes
 * straight from the socket to xterm (app/lib/terminal-stream.ts), never through React state; the
 * terminal in front on a page load was made and attached before React rendered, and is adopted.
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
      const socket = getSocket();
      // The page's boot may have made and attached this terminal already (app/lib/terminal-boot.ts).
      const adopted = adoptBootedTerminal(sessionId, terminalId);
      const modules = await terminalModules();
      const booted = adopted ? await adopted : null;
      if (disposed || !host.current) {
        booted?.stream.dispose();
        booted?.term.dispose();
        return;
      }
      const term = booted?.term ?? createTerminal(modules, initial.current.settings);
      const stream = booted?.stream ?? new TerminalStream(socket, sessionId, terminalId, term, { hidden: !initial.current.active });
      if (booted && !initial.current.active) stream.hide();
      const ids = { sessionId, terminalId };
      let inControl = initial.current.inControl;
      term.options.disableStdin = !inControl;
      term.options.cursorBlink = initial.current.settings.cursorBlink;
      styleTerminal(term);
      const fit = new modules.FitAddon();
      term.loadAddon(fit);
      term.loadAddon(new modules.WebLinksAddon());
      term.loadAddon(new modules.SearchAddon());
      term.open(host.current);
      stream.afterFirstOutput(firstTerminalSettled);
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
        hide: () => stream.hide(),
        show: () => {
          refit();
          stream.show();
        },
      };
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
        stream.dispose();
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
