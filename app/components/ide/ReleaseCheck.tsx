'use client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../../lib/trpc.ts';

/** "Release check": what publishing this workspace would ship, and what must not. */
export function ReleaseCheck({ sessionId, disabled }: { sessionId: string; disabled: boolean }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [dir, setDir] = useState('');
  const check = useMutation(trpc.release.check.mutationOptions());
  const r = check.data;
  return (
    <>
      <button type="button" className="ghost small" disabled={disabled} onClick={() => setOpen((o) => !o)} aria-expanded={open}>Release check</button>
      {open && (
        <section className="release-check card stack" aria-label="Release check">
          <form className="row" onSubmit={(e) => { e.preventDefault(); check.mutate({ sessionId, dir: dir.trim() || null }); }}>
            <label className="small-text" htmlFor="release-dir">Build folder (empty: what npm pack would publish)</label>
            <input id="release-dir" value={dir} onChange={(e) => setDir(e.target.value)} placeholder="dist" />
            <button type="submit" className="primary small" disabled={check.isPending}>{check.isPending ? 'Checking…' : 'Run check'}</button>
          </form>
          {check.error && <p role="alert" className="form-error">{check.error.message}</p>}
          {r && (
            <div role="status">
              <p className="small-text">{r.source}: {r.fileCount} file(s); allowlist: {r.allowlistFrom ?? 'none'}.</p>
              {r.problems.length === 0
                ? <p className="small-text">No problems found.</p>
                : (
                  <ul className="release-problems" aria-label="Release problems">
                    {r.problems.map((p, i) => <li key={i}><code>{p.path}</code>: {p.problem}</li>)}
                  </ul>
                )}
            </div>
          )}
        </section>
      )}
    </>
  );
}
