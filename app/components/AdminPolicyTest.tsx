'use client';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, type RouterInputs } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { errorOf } from './Field.tsx';

/** What a tool call's main argument is called, so the box can take one line instead of JSON. */
const MAIN_ARGUMENT: Record<string, { key: string; label: string; placeholder: string }> = {
  run_command: { key: 'command', label: 'Command', placeholder: 'rm -rf build && npm test' },
  write_file: { key: 'path', label: 'Path', placeholder: '.github/workflows/deploy.yml' },
  edit_file: { key: 'path', label: 'Path', placeholder: 'src/index.ts' },
  read_file: { key: 'path', label: 'Path', placeholder: 'README.md' },
  list_dir: { key: 'path', label: 'Path', placeholder: 'src' },
};

/** "Test a command": the decision the agent would get right now, with the risk, the reason and the rule. */
type TestedTool = RouterInputs['policy']['test']['tool'];

export function AdminPolicyTest({ workspaceId, tools }: { workspaceId: string | null; tools: readonly string[] }) {
  const trpc = useTRPC();
  const hydrated = useHydrated();
  const [tool, setTool] = useState('run_command');
  const test = useMutation(trpc.policy.test.mutationOptions());
  const [jsonError, setJsonError] = useState<string | null>(null);
  const main = MAIN_ARGUMENT[tool];
  const message = jsonError ?? errorOf(test.error).message;
  const v = test.data;

  return (
    // A section names the region; a form may not take the region role.
    <section aria-labelledby="test-heading">
      <form method="post" className="card stack" onSubmit={(e) => {
        e.preventDefault();
        const text = String(new FormData(e.currentTarget).get('argument') ?? '');
        const input = main ? { [main.key]: text } : jsonObject(text || '{}');
        setJsonError(input ? null : 'Write the arguments as a JSON object, e.g. {"action": "push"}.');
        if (input) test.mutate({ workspaceId, tool: tool as TestedTool, input: input as RouterInputs['policy']['test']['input'] });
      }}>
        <h2 id="test-heading">Test a command</h2>
        <div className="policy-test-grid">
          <div className="field">
            <label htmlFor="test-tool">Tool</label>
            <select id="test-tool" value={tool} onChange={(e) => { setTool(e.target.value); test.reset(); }}>
              {tools.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="test-argument">{main?.label ?? 'Arguments (JSON)'}</label>
            <input id="test-argument" name="argument" placeholder={main?.placeholder ?? '{"action": "push", "force": true}'} autoComplete="off" spellCheck={false} />
          </div>
        </div>
        <div className="row"><button type="submit" className="primary" disabled={!hydrated || test.isPending}>Test</button></div>
        {message && <p role="alert" className="form-error">{message}</p>}
        {v && !jsonError && (
          <dl role="status" aria-label="Test result" className={`policy-verdict ${v.decision}`}>
            <dt>Decision</dt><dd><span className={`badge decision-${v.decision}`}>{v.decision}</span></dd>
            <dt>Risk</dt><dd><span className={`badge risk-${v.risk}`}>{v.risk}</span></dd>
            <dt>Reason</dt><dd>{v.reason}</dd>
            <dt>Rule</dt>
            <dd>{v.rule ? <><code>{v.rule.action} {v.rule.tool}({v.rule.pattern})</code> <span className="muted">({v.rule.scope} rule)</span></> : <span className="muted">no rule matched; the risk decided</span>}</dd>
          </dl>
        )}
      </form>
    </section>
  );
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
