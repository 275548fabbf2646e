'use client';
import dynamic from 'next/dynamic';
import { useState } from 'react';
import { diffSides } from './diff-sides.ts';
import { cardStatus, type ToolCard } from './transcript.ts';

const DiffView = dynamic(() => import('../ide/DiffView.tsx').then((m) => m.DiffView), {
  ssr: false,
  loading: () => <p className="muted small-text">Loading the diff editor…</p>,
});

/** One tool call: what the agent asked for, what policy said, and what came back. */
export function ToolCardView({ card, onRewind, canRewind }: { card: ToolCard; onRewind: (checkpointId: string) => void; canRewind: boolean }) {
  const status = cardStatus(card);
  const detail = card.result?.detail ?? {};
  const diff = typeof detail.diff === 'string' ? detail.diff : null;
  const input = card.input as Record<string, unknown> | null;
  const summary = input && typeof input === 'object'
    ? String(input.path ?? input.command ?? input.pattern ?? input.subcommand ?? JSON.stringify(input)).slice(0, 120)
    : '';
  return (
    <article className={`tool-card ${status.replace(/\s/g, '-')}`} aria-label={`Tool call ${card.tool}: ${status}`}>
      <header>
        <span className="tool-name">{card.tool}</span>
        <code className="tool-summary">{summary}</code>
        <span className={`badge ${status === 'done' ? 'active' : status === 'failed' || status === 'denied' || status === 'interrupted' ? 'failed' : 'provisioning'}`}>{status}</span>
        {card.profile && <span className="badge" title="The task profile this call ran under">{card.profile}</span>}
        {card.highRisk && <span className="badge failed" title={card.highRisk}>high risk</span>}
        {card.decision?.protectedPath && <span className="badge protected-path" title="Writes .git, CI configuration, a git hook or .tether/">protected path</span>}
      </header>
      {card.decision && card.decision.decision !== 'allow' && <p className="muted small-text">Policy: {card.decision.decision} — {card.decision.reason}</p>}
      {status === 'interrupted' && <p className="muted small-text">The run stopped before this call finished; resuming the run settles it.</p>}
      <details>
        <summary>Arguments</summary>
        <pre className="md-code">{JSON.stringify(card.input, null, 2)}</pre>
      </details>
      {diff && <ToolDiff diff={diff} path={typeof detail.path === 'string' ? detail.path : String(input?.path ?? '')} />}
      {card.result && !diff && (
        <details open={!card.result.ok || card.tool === 'run_tests' || card.tool === 'run_command'}>
          <summary>{card.result.ok ? 'Output' : 'Error'} <span className="muted">({card.result.durationMs} ms)</span></summary>
          <pre className="md-code output" aria-label={`Output of ${card.tool}`}>{card.result.output}</pre>
        </details>
      )}
      {card.checkpoint && (
        <div className="row">
          <span className="muted small-text">Checkpoint before this step</span>
          <button type="button" className="ghost small" disabled={!canRewind} onClick={() => onRewind(card.checkpoint!.checkpointId)}>Rewind to here</button>
        </div>
      )}
    </article>
  );
}

/** The call's diff: wrapped text (nothing cut off in the narrow column), or Monaco's diff editor on request. */
function ToolDiff({ diff, path }: { diff: string; path: string }) {
  const [editor, setEditor] = useState(false);
  return (
    <>
      <button type="button" className="ghost small" aria-pressed={editor} onClick={() => setEditor((e) => !e)}>{editor ? 'Show as text' : 'Open in diff editor'}</button>
      {editor
        ? <DiffView {...diffSides(diff)} path={path} label={`Diff of ${path}`} height={240} />
        : <pre className="md-code diff" aria-label="Diff">{diff.split('\n').map((l, i) => <span key={i} className={l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : undefined}>{l}{'\n'}</span>)}</pre>}
    </>
  );
}
