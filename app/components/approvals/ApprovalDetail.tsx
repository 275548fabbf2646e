import type { RouterOutputs } from '../../lib/trpc.ts';

export type Approval = RouterOutputs['approvals']['list'][number];

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** One simple command as the policy parsed it: the program, then its arguments. */
function ParsedCommand({ command }: { command: unknown }) {
  const c = asObject(command);
  const argv = Array.isArray(command) ? command.map(String) : Array.isArray(c.argv) ? c.argv.map(String) : typeof command === 'string' ? [command] : [];
  if (!argv.length) return null;
  return (
    <li>
      <code><mark className="cmd-name">{argv[0]}</mark>{argv.slice(1).map((a, i) => <span key={i} className="cmd-arg"> {a}</span>)}</code>
      {typeof c.risk === 'string' && <span className={`badge risk-${c.risk}`}>{c.risk}</span>}
      {typeof c.reason === 'string' && <span className="muted small-text"> {c.reason}</span>}
    </li>
  );
}

/** For a publish: the latest release check of the workspace, or that none was run. */
function ReleaseCheckSummary({ check }: { check: unknown }) {
  if (!check) return <p role="note" className="banner error small-text">No release check was run on this workspace: nobody has looked at what this would publish.</p>;
  const c = asObject(check);
  const problems = Array.isArray(c.problems) ? c.problems.map(asObject) : [];
  return (
    <div role="note" className={`release-check-summary ${c.problemCount ? 'banner error' : 'banner'}`}>
      <p className="small-text">
        <strong>Latest release check</strong> ({String(c.source)}, {new Date(String(c.at)).toLocaleString()}): {Number(c.problemCount)} problem(s).
        {c.stale === true && ' Files changed since it ran.'}
      </p>
      {problems.length > 0 && <ul className="small-text">{problems.map((p, i) => <li key={i}><code>{String(p.path)}</code>: {String(p.problem)}</li>)}</ul>}
    </div>
  );
}

/** What the change would write, as a diff: the new content of a file, or the replaced text. */
function diffLines(tool: string, input: Json): { sign: '+' | '-'; text: string }[] | null {
  if (tool === 'write_file' && typeof input.content === 'string') return input.content.split('\n').map((text) => ({ sign: '+', text }));
  if (tool === 'edit_file' && typeof input.oldString === 'string' && typeof input.newString === 'string') {
    return [...input.oldString.split('\n').map((text) => ({ sign: '-' as const, text })), ...input.newString.split('\n').map((text) => ({ sign: '+' as const, text }))];
  }
  return null;
}

/** The call a person is asked about: the exact command (parsed parts marked) or the diff, the risk, the reason, the rule. */
export function ApprovalDetail({ approval }: { approval: Approval }) {
  const detail = asObject(approval.detail);
  const input = asObject(detail.input);
  const commands = Array.isArray(detail.commands) ? detail.commands : [];
  const profile = typeof detail.profile === 'string' ? detail.profile : null;
  const diff = diffLines(approval.tool, input);
  return (
    <div className="approval-detail">
      <p className="row">
        <span className="tool-name">{approval.tool}</span>
        <span className={`badge risk-${approval.risk}`} aria-label={`Risk: ${approval.risk}`}>{approval.risk} risk</span>
        {approval.protectedPath && <span className="badge protected-path" title="Writes .git, CI configuration, a git hook or .tether/">protected path</span>}
        {profile && <span className="badge" aria-label={`Task profile: ${profile}`}>{profile}</span>}
        {typeof input.path === 'string' && <code>{input.path}</code>}
      </p>
      {typeof input.command === 'string' && <pre className="md-code approval-command" aria-label="Command">{input.command}</pre>}
      {commands.length > 0 && <ul className="parsed-commands" aria-label="Parsed commands">{commands.map((c, i) => <ParsedCommand key={i} command={c} />)}</ul>}
      {diff && <pre className="md-code diff" aria-label="Diff">{diff.map((l, i) => <span key={i} className={l.sign === '+' ? 'add' : 'del'}>{l.sign}{l.text}{'\n'}</span>)}</pre>}
      {typeof input.command !== 'string' && !diff && <pre className="md-code" aria-label="Arguments">{JSON.stringify(input, null, 2)}</pre>}
      {'releaseCheck' in detail && <ReleaseCheckSummary check={detail.releaseCheck} />}
      <p className="small-text"><strong>Why:</strong> {approval.reason}</p>
      <p className="small-text muted">Rule: {approval.rule ?? 'none (the classifier decided)'}</p>
    </div>
  );
}
