'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SessionEvent, TerminalInfo } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import { ClosableTab } from '../layout/ClosableTab.tsx';
import { bootTerminal, frontTerminal, takeEarlyTerminalList, type TerminalListAnswer } from '../../lib/terminal-boot.ts';
import { firstTerminalSettled } from '../../lib/terminal-first-paint.ts';
import { terminalControls, type TerminalControl } from '../../lib/terminal-control.ts';
import { DEFAULT_TERMINAL_SETTINGS, readTerminalSettings, saveTerminalSettings, type TerminalSettings } from '../../lib/terminal-settings.ts';
import { firstVisit, rememberActiveTerminal, rememberedActiveTerminal } from '../../lib/terminal-visits.ts';
import { TerminalView } from './TerminalView.tsx';

// The socket connects and the front terminal attaches while the page hydrates, not after it rendered.
if (typeof window !== 'undefined') bootTerminal();

/** Size asked for before the terminal is fitted to its panel (the first resize follows at once). */
const INITIAL_SIZE = { cols: 100, rows: 24 };

/** Who types in the terminal in front, and the way to take over when it is someone else. */
function ControlBar({ control, me, onTakeOver, pending }: { control: TerminalControl; me: string; onTakeOver: (() => void) | null; pending: boolean }) {
  const { controller, takenFromMeBy } = control;
  if (!controller || controller.id === me) return null;
  return (
    <div className="terminal-control" role="status">
      <span>{takenFromMeBy ? `${takenFromMeBy} took over this terminal; you are watching.` : `${controller.name} is typing in this terminal; you are watching.`}</span>
      {onTakeOver && <button type="button" className="small" onClick={onTakeOver} disabled={pending}>Take over</button>}
    </div>
  );
}

/**
 * Terminal tabs. Terminals live on the server: a reload lists and re-attaches them. A session's
 * first visit in this browser opens one as soon as the workspace is ready. Each terminal takes
 * input from one person at a time (`events` carries the take-overs); the others watch.
 */
export function TerminalPanel({ sessionId, userId, events, disabled, onCountChange }: {
  sessionId: string; userId: string; events: SessionEvent[]; disabled: boolean; onCountChange?: (open: number | null) => void;
}) {
  // The first list was asked for when the page's code loaded (app/lib/terminal-boot.ts); if it
  // has come, the first render shows the terminals rather than waiting for an effect's answer.
  const [early] = useState(() => takeEarlyTerminalList(sessionId));
  const listedEarly = early?.settled?.ok ? early.settled.terminals : null;
  // null until the server has answered the first list.
  const [terminals, setTerminals] = useState<TerminalInfo[] | null>(listedEarly);
  const [active, setActive] = useState<string | null>(() => listedEarly && frontTerminal(listedEarly, rememberedActiveTerminal(sessionId)));
  const [error, setError] = useState<string | null>(null);
  const [settings, setSettings] = useState<TerminalSettings>(DEFAULT_TERMINAL_SETTINGS);
  useEffect(() => { setSettings(readTerminalSettings()); }, []);

  const earlyPending = useRef(early);
  const refresh = useCallback(() => {
    const apply = (res: TerminalListAnswer) => {
      if (!res.ok) return setError(res.error);
      setTerminals(res.terminals);
      const listed = (id: string | null) => (id && res.terminals.some((t) => t.id === id) ? id : null);
      setActive((a) => listed(a) ?? frontTerminal(res.terminals, rememberedActiveTerminal(sessionId)));
    };
    const first = earlyPending.current;
    earlyPending.current = null;
    if (first) void first.answer.then(apply);
    else getSocket().emit('terminal:list', { sessionId }, apply);
  }, [sessionId]);

  useEffect(() => {
    const socket = getSocket();
    socket.on('connect', refresh);
    if (socket.connected) refresh();
    return () => { socket.off('connect', refresh); };
  }, [refresh]);

  useEffect(() => { onCountChange?.(terminals === null ? null : terminals.length); }, [terminals, onCountChange]);

  const controls = useMemo(() => terminalControls(terminals ?? [], events, userId), [terminals, events, userId]);
  const [takingOver, setTakingOver] = useState(false);
  const takeOver = (terminalId: string) => {
    setTakingOver(true);
    setError(null);
    getSocket().emit('terminal:takeover', { sessionId, terminalId }, (res) => {
      setTakingOver(false);
      if (!res.ok) setError(res.error);
    });
  };
  // Input sent just as someone else took over: the server says so in words.
  useEffect(() => {
    const socket = getSocket();
    const onRefused = (e: { terminalId: string; error: string }) => { if (terminals?.some((t) => t.id === e.terminalId)) setError(e.error); };
    socket.on('terminal:refused', onRefused);
    return () => { socket.off('terminal:refused', onRefused); };
  }, [terminals]);

  const open = useCallback(() => {
    setError(null);
    getSocket().emit('terminal:open', { sessionId, ...INITIAL_SIZE }, (res) => {
      if (!res.ok) return setError(res.error);
      setTerminals((ts) => [...(ts ?? []), res.terminal]);
      setActive(res.terminal.id);
    });
  }, [sessionId]);

  useEffect(() => { if (active) rememberActiveTerminal(sessionId, active); }, [sessionId, active]);

  const listedEmpty = terminals !== null && terminals.length === 0;
  // Decided once, on the first list of a usable workspace: a visit that found terminals, or that
  // closed its last one later, is not a first visit.
  const visitDecided = useRef(false);
  useEffect(() => {
    // While the workspace is being made, the terminal it will get is still to come.
    if (terminals === null || disabled || visitDecided.current) return;
    visitDecided.current = true;
    const first = firstVisit(sessionId);
    if (terminals.length) return;
    if (first) open();
    else firstTerminalSettled(); // nothing to draw: the editor and agent panel need not wait
  }, [terminals, disabled, sessionId, open]);

  const close = (id: string) => {
    getSocket().emit('terminal:close', { sessionId, terminalId: id }, (res) => {
      if (!res.ok) return setError(res.error);
      setTerminals((ts) => (ts ?? []).filter((t) => t.id !== id));
      setActive((a) => (a === id ? terminals?.find((t) => t.id !== id)?.id ?? null : a));
    });
  };
  const setBlink = (cursorBlink: boolean) => {
    const next = { ...settings, cursorBlink };
    setSettings(next);
    saveTerminalSettings(next);
  };

  const list = terminals ?? [];
  return (
    <section className="panel terminal-panel">
      <div className="tabs">
        <div className="tab-list" role="tablist" aria-label="Terminal tabs">
          {list.map((t, i) => (
            <ClosableTab key={t.id} label={`Terminal ${i + 1}${t.exited ? ' (exited)' : ''}`} selected={t.id === active} onSelect={() => setActive(t.id)} onClose={() => close(t.id)} />
          ))}
        </div>
        <button type="button" className="ghost small" onClick={open} disabled={disabled}>New terminal</button>
        <label className="small-text row"><input type="checkbox" checked={settings.cursorBlink} onChange={(e) => setBlink(e.target.checked)} /> Blink cursor</label>
        {error && <span role="alert" className="form-error">{error}</span>}
      </div>
      {active && controls.get(active) && !list.find((t) => t.id === active)?.exited && <ControlBar control={controls.get(active)!} me={userId} pending={takingOver} onTakeOver={disabled ? null : () => takeOver(active)} />}
      <div className="terminal-stack">
        {list.map((t, i) => {
          const controller = controls.get(t.id)?.controller;
          return <TerminalView key={t.id} sessionId={sessionId} terminalId={t.id} label={`Terminal ${i + 1}`} active={t.id === active} settings={settings} inControl={!controller || controller.id === userId} />;
        })}
        {listedEmpty && <p className="muted placeholder">{disabled ? 'The workspace is not ready.' : 'No terminal open. Press New terminal.'}</p>}
      </div>
    </section>
  );
}
