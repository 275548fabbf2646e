'use client';
import type { EventPayload } from '../../../server/sessions/event-types.ts';

export type PromptReportPayload = EventPayload<'agent.prompt.report'>;
type Entry = PromptReportPayload['report']['included'][number];

export interface RefNames {
  /** A memory item's text, when the session still lists it. */
  memory(id: string): string | undefined;
  /** The user's message that started a run. */
  run(runId: string): string | undefined;
}

const n = (x: number) => x.toLocaleString('en-US');
const quote = (s: string, max = 60) => `“${s.length > max ? `${s.slice(0, max - 1)}…` : s}”`;

/** A report's reference (memory:<id>, turn:<runId>, event:<seq>, file:…, turns:a-b) in words. */
export function describeRef(ref: string, names: RefNames): string {
  const [kind, rest = '', extra] = ref.split(':');
  switch (kind) {
    case 'memory': { const t = names.memory(rest); return t ? `Memory ${quote(t)}` : 'A memory item (since removed from the list)'; }
    case 'turn': {
      const t = names.run(rest);
      const turn = t ? `the turn ${quote(t, 40)}` : 'a turn';
      return extra === 'steps' ? `Older steps of ${turn}` : `Turn ${t ? quote(t, 40) : ''}`.trim();
    }
    case 'turns': { const [a, b] = rest.split('-'); return `Turns from event #${a} to #${b}`; }
    case 'event': return /^\d+$/.test(rest) ? `Tool output #${rest}` : 'A tool output';
    case 'file': return rest === 'recent' ? 'Recently touched files' : rest === 'map' ? 'Repository map' : `File ${ref.slice('file:'.length)}`;
    default: return ref;
  }
}

/** What one model call was sent: tokens per section, and what was kept, masked or dropped, and why. */
export function PromptInspector({ payload, names }: { payload: PromptReportPayload; names: RefNames }) {
  const { report, budget, step } = payload;
  const label = `Prompt of step ${step}`;
  return (
    <details className="prompt-report" aria-label={label}>
      <summary>
        {label}: {n(report.totalTokens)} of {n(report.budgetTokens)} tokens
        {report.masked.length > 0 && ` · ${report.masked.length} masked`}
        {report.dropped.length > 0 && ` · ${report.dropped.length} dropped`}
      </summary>
      {budget && (
        <p className="small-text muted">
          Budget: the {n(budget.contextTokens)}-token context window{budget.route ? ` of ${budget.route}` : ''}, less {n(budget.replyTokens)} kept for the reply and {n(budget.toolSchemaTokens)} for the tool schemas.
        </p>
      )}
      <table className="table compact" aria-label={`Tokens per section, step ${step}`}>
        <thead><tr><th>Section</th><th className="num">Tokens</th><th>Share</th></tr></thead>
        <tbody>
          {report.sections.map((s) => (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td className="num">{n(s.tokens)}</td>
              <td><meter min={0} max={report.budgetTokens} value={s.tokens} aria-label={`${s.name}: ${Math.round((100 * s.tokens) / Math.max(1, report.budgetTokens))}% of the budget`} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <EntryList title="Included" entries={report.included} names={names} />
      <EntryList title="Masked (replaced by a one-line stub)" entries={report.masked} names={names} />
      <EntryList title="Dropped" entries={report.dropped} names={names} />
    </details>
  );
}

/** Short lists start open; a long one (a hundred verbatim turns) starts folded behind its count. */
const OPEN_UP_TO = 12;

function EntryList({ title, entries, names }: { title: string; entries: Entry[]; names: RefNames }) {
  if (!entries.length) return null;
  return (
    <section aria-label={title}>
      <details open={entries.length <= OPEN_UP_TO}>
        <summary className="small-text"><strong>{title} ({entries.length})</strong></summary>
        <ul className="report-entries small-text">
          {entries.map((e, i) => (
            <li key={`${e.ref}-${i}`}><strong>{describeRef(e.ref, names)}</strong> <span className="muted">({n(e.tokens)} tokens)</span> — {e.reason}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}
