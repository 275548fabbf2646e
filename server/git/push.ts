// A push from the git panel is a high-risk action, gated like the agent's: the team's policy
// decides it (the same engine, rules and classifier as the agent's `git push` call), an `ask` waits
// for a person through the approval gate (high risk: an admin other than the person pushing), and
// every request and outcome is a `git.push` event in the session's hash-chained stream, which the
// audit view lists. The approval is answered in the background, so the panel's request returns
// at once and the outcome arrives as an event.
import { randomUUID } from 'node:crypto';
import type { ApprovalService } from '../agent/approvals/service.ts';
import { evaluate } from '../agent/policy/engine.ts';
import { policyOfSession } from '../agent/policy/rules-store.ts';
import { git as gitTool } from '../agent/tools/git.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { EventPayload } from '../sessions/event-types.ts';
import type { EventStream } from '../sessions/stream.ts';
import { runGit, type GitWorkspace } from './run.ts';

/** A push moves commits over the network; a slow remote gets longer than a local git call. */
const PUSH_TIMEOUT_MS = 120_000;
/** What of git's own words the event keeps. */
const OUTPUT_CHARS = 4_000;

export interface PushDeps { db: Db; events: EventStream; approvals: ApprovalService; log: Logger }
export interface PushRequest { sessionId: string; userId: string; remote: string; branch: string; workspace: GitWorkspace }
export type PushOutcome =
  | { status: 'pushed'; output: string }
  | { status: 'failed' | 'denied'; reason: string }
  | { status: 'waiting'; reason: string };

type PushEvent = EventPayload<'git.push'>;

export function createPushGate(d: PushDeps) {
  const record = (r: PushRequest, p: Omit<PushEvent, 'remote' | 'branch'>) =>
    d.events.append(r.sessionId, { type: 'git.push', payload: { remote: r.remote, branch: r.branch, ...p } }, { kind: 'user', id: r.userId });

  async function run(r: PushRequest, by: string): Promise<PushOutcome> {
    const res = await runGit(r.workspace, ['push', '--', r.remote, `refs/heads/${r.branch}`], { timeoutMs: PUSH_TIMEOUT_MS });
    const output = (res.stderr + res.stdout).trim().slice(-OUTPUT_CHARS);
    if (res.exitCode === 0) {
      await record(r, { status: 'pushed', by, reason: 'pushed', output });
      return { status: 'pushed', output };
    }
    const reason = `git push failed: ${output || `exit code ${res.exitCode}`}`;
    await record(r, { status: 'failed', by, reason, output });
    return { status: 'failed', reason };
  }

  /** Decides, and runs the push now or once a person approves it. */
  async function push(r: PushRequest): Promise<PushOutcome> {
    const input = { action: 'push' as const, remote: r.remote, ref: r.branch };
    const highRisk = gitTool.highRisk?.(input) ?? null;
    const { rules, settings } = await policyOfSession(d.db, r.sessionId);
    const verdict = await evaluate({ tool: gitTool.name, input, highRisk }, rules, settings);
    if (verdict.decision === 'deny') {
      await record(r, { status: 'denied', by: verdict.by, reason: verdict.reason });
      return { status: 'denied', reason: verdict.reason };
    }
    if (verdict.decision === 'allow') return run(r, verdict.by);
    const reason = `waiting for approval: ${verdict.reason}`;
    await record(r, { status: 'waiting', by: verdict.by, reason });
    // The answer may take minutes: nobody holds a request open for it.
    void d.approvals.ask({
      sessionId: r.sessionId, runId: '', callId: `git-push-${randomUUID()}`, tool: gitTool.name, userId: r.userId, input,
      decision: { decision: 'ask', reason: verdict.reason, by: verdict.by, risk: verdict.risk, rule: verdict.rule, commands: verdict.commands },
    }, new AbortController().signal, highRisk)
      .then(async (answer) => {
        if (answer.granted) return void await run(r, answer.by ?? 'approval');
        await record(r, { status: 'denied', by: answer.by ?? 'approval', reason: answer.reason });
      })
      .catch((err: unknown) => d.log.error({ err, sessionId: r.sessionId }, 'a push waiting for approval failed'));
    return { status: 'waiting', reason };
  }

  return { push };
}

export type PushGate = ReturnType<typeof createPushGate>;
