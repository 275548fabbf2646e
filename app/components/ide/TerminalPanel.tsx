'use client';
import { useCallback, useEffect, useState } from 'react';
import type { TerminalInfo } from '../../../server/realtime/protocol.ts';
import { getSocket } from '../../lib/socket.ts';
import { ClosableTab } from '../layout/ClosableTab.tsx';
import { TerminalView } from './TerminalView.tsx';

/** Terminal tabs. Terminals live on the server: a reload lists and re-attaches them. */
export function TerminalPanel({ sessionId, disabled, onCountChange }: { sessionId: string; disabled: boolean; onCountChange?: (open: number) => void }) {
  const [terminals, setTerminals] = useState<TerminalInfo[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    getSocket().emit('terminal:list', { sessionId }, (res) => {
      if (!res.ok) return setError(res.error);
      setTerminals(res.terminals);
      setActive((a) => (a && res.terminals.some((t) => t.id === a) ? a : res.terminals[0]?.id ?? null));
    });
  }, [sessionId]);

  useEffect(() => {
    const socket = getSocket();
    socket.on('connect', refresh);
    if (socket.connected) refresh();
    return () => { socket.off('connect', refresh); };
  }, [refresh]);

  useEffect(() => { onCountChange?.(terminals.length); }, [terminals.length, onCountChange]);

  const open = () => {
    setError(null);
    getSocket().emit('terminal:open', { sessionId, cols: 100, rows: 24 }, (res) => {
      if (!res.ok) return setError(res.error);
      setTerminals((ts) => [...ts, res.terminal]);
      setActive(res.terminal.id);
    });
  };
  const close = (id: string) => {
    getSocket().emit('terminal:close', { sessionId, terminalId: id }, (res) => {
      if (!res.ok) return setError(res.error);
      setTerminals((ts) => ts.filter((t) => t.id !== id));
      setActive((a) => (a === id ? terminals.find((t) => t.id !== id)?.id ?? null : a));
    });
  };

  return (
    <section className="panel terminal-panel">
      <div className="tabs">
        <div className="tab-list" role="tablist" aria-label="Terminal tabs">
          {terminals.map((t, i) => (
            <ClosableTab key={t.id} label={`Terminal ${i + 1}${t.exited ? ' (exited)' : ''}`} selected={t.id === active} onSelect={() => setActive(t.id)} onClose={() => close(t.id)} />
          ))}
        </div>
        <button type="button" className="ghost small" onClick={open} disabled={disabled}>New terminal</button>
        {error && <span role="alert" className="form-error">{error}</span>}
      </div>
      <div className="terminal-stack">
        {terminals.map((t, i) => (
          <TerminalView key={t.id} sessionId={sessionId} terminalId={t.id} label={`Terminal ${i + 1}`} active={t.id === active} />
        ))}
        {!terminals.length && <p className="muted placeholder">{disabled ? 'The workspace is not ready.' : 'No terminal open. Press New terminal.'}</p>}
      </div>
    </section>
  );
}
