'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC, type RouterInputs } from '../lib/trpc.ts';
import { useHydrated } from '../lib/useHydrated.ts';
import { AdminPolicyTest } from './AdminPolicyTest.tsx';
import { errorOf, Field } from './Field.tsx';

const ACTIONS = ['allow', 'ask', 'deny'] as const;
type Action = (typeof ACTIONS)[number];
type RuleTool = RouterInputs['policy']['addRule']['tool'];

/** Ordered allow/ask/deny rules for the team or one workspace, and a box to try a command against them. */
export function AdminPolicyRules() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const hydrated = useHydrated();
  const [workspaceId, setWorkspaceId] = useState<string | null>(null);
  /** The rule whose pattern and note are being edited, with the draft. */
  const [editing, setEditing] = useState<{ id: string; pattern: string; note: string } | null>(null);
  const options = useQuery(trpc.policy.options.queryOptions());
  const tools = options.data?.tools ?? ['run_command'];
  const rules = useQuery(trpc.policy.rules.queryOptions({ workspaceId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.policy.rules.queryKey() });
  const add = useMutation(trpc.policy.addRule.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.policy.updateRule.mutationOptions({ onSuccess: refresh }));
  const reorder = useMutation(trpc.policy.reorderRules.mutationOptions({ onSuccess: refresh, onError: refresh }));
  const remove = useMutation(trpc.policy.deleteRule.mutationOptions({ onSuccess: refresh }));
  const { message, fields } = errorOf(add.error);
  const rowError = errorOf(update.error ?? reorder.error ?? remove.error).message;
  const list = rules.data ?? [];

  const move = (index: number, by: -1 | 1) => {
    const ids = list.map((r) => r.id);
    const [id] = ids.splice(index, 1);
    ids.splice(index + by, 0, id!);
    reorder.mutate({ workspaceId, ids });
  };

  return (
    <section className="stack" aria-labelledby="rules-heading">
      <h1 id="rules-heading">Agent rules</h1>
      <p className="muted">
        Each rule allows, asks about or denies a tool call whose argument matches a pattern — for commands, every simple
        command of a pipeline or list must match. Deny wins over ask, ask over allow; with no matching rule, the risk decides
        (low: allow, medium: the team setting below, high: ask an admin). Team rules apply everywhere; workspace rules add to them.
      </p>
      <div className="field">
        <label htmlFor="rule-scope">Rules for</label>
        <select id="rule-scope" value={workspaceId ?? ''} onChange={(e) => setWorkspaceId(e.target.value || null)}>
          <option value="">The whole team</option>
          {options.data?.workspaces.map((w) => <option key={w.id} value={w.id}>Workspace of “{w.name}”</option>)}
        </select>
      </div>
      {rowError && <p role="alert" className="form-error">{rowError}</p>}
      {rules.error && <p role="alert" className="form-error">{rules.error.message}</p>}
      <table className="table" aria-label="Rules">
        <thead><tr><th>#</th><th>Action</th><th>Tool</th><th>Pattern</th><th>Note</th><th><span className="visually-hidden">Edit, order and delete</span></th></tr></thead>
        <tbody>
          {rules.isSuccess && list.length === 0 && <tr><td colSpan={6} className="muted">No rules yet: the risk of each call decides.</td></tr>}
          {list.map((r, i) => (
            <tr key={r.id}>
              <td className="num">{i + 1}</td>
              <td>
                <select aria-label={`Action of rule ${i + 1}`} value={r.action} disabled={!hydrated}
                  onChange={(e) => update.mutate({ id: r.id, action: e.target.value as Action })}>
                  {ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
                </select>
              </td>
              <td><code>{r.tool}</code></td>
              {editing?.id === r.id ? (
                <>
                  <td><input aria-label={`Pattern of rule ${i + 1}`} value={editing.pattern} onChange={(e) => setEditing({ ...editing, pattern: e.target.value })} spellCheck={false} /></td>
                  <td><input aria-label={`Note of rule ${i + 1}`} value={editing.note} onChange={(e) => setEditing({ ...editing, note: e.target.value })} /></td>
                </>
              ) : (
                <>
                  <td><code>{r.pattern}</code></td>
                  <td className="muted">{r.note}</td>
                </>
              )}
              <td>
                <div className="row">
                  {editing?.id === r.id ? (
                    <>
                      <button type="button" className="primary small" disabled={update.isPending}
                        onClick={() => update.mutate({ id: r.id, pattern: editing.pattern, note: editing.note }, { onSuccess: () => setEditing(null) })}>
                        Save <span className="visually-hidden">rule {i + 1}</span>
                      </button>
                      <button type="button" className="ghost small" onClick={() => { setEditing(null); update.reset(); }}>Cancel</button>
                    </>
                  ) : (
                    <button type="button" className="ghost small" disabled={!hydrated} onClick={() => setEditing({ id: r.id, pattern: r.pattern, note: r.note })}>
                      Edit <span className="visually-hidden">rule {i + 1}</span>
                    </button>
                  )}
                  <button type="button" className="ghost small" disabled={!hydrated || i === 0} onClick={() => move(i, -1)} aria-label={`Move rule ${i + 1} up`}>↑</button>
                  <button type="button" className="ghost small" disabled={!hydrated || i === list.length - 1} onClick={() => move(i, 1)} aria-label={`Move rule ${i + 1} down`}>↓</button>
                  <button type="button" className="ghost small" disabled={!hydrated}
                    onClick={() => { if (window.confirm(`Delete the rule ${r.action} ${r.tool}(${r.pattern})?`)) remove.mutate({ id: r.id }); }}>
                    Delete <span className="visually-hidden">rule {i + 1}</span>
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <form method="post" className="card stack" aria-labelledby="add-rule-heading" onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const v = Object.fromEntries(new FormData(form)) as Record<string, string>;
        add.mutate({ workspaceId, action: v.action as Action, tool: v.tool as RuleTool, pattern: v.pattern ?? '', note: v.note ?? '' }, { onSuccess: () => form.reset() });
      }}>
        <h2 id="add-rule-heading">Add a rule</h2>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="rule-action">Action</label>
            <select id="rule-action" name="action" defaultValue="allow">{ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}</select>
          </div>
          <div className="field">
            <label htmlFor="rule-tool">Tool</label>
            <select id="rule-tool" name="tool" defaultValue="run_command">{tools.map((t) => <option key={t} value={t}>{t === '*' ? '* (any tool)' : t}</option>)}</select>
          </div>
          <Field label="Pattern" name="pattern" id="rule-pattern" placeholder="npm test*  ·  src/**  ·  push*" required error={fields.pattern} />
          <Field label="Note (why)" name="note" id="rule-note" placeholder="optional" error={fields.note} />
        </div>
        {message && !Object.keys(fields).length && <p role="alert" className="form-error">{message}</p>}
        <div className="row"><button type="submit" className="primary" disabled={!hydrated || add.isPending}>Add rule</button></div>
      </form>

      <AdminPolicyTest workspaceId={workspaceId} tools={tools.filter((t) => t !== '*')} />
    </section>
  );
}
