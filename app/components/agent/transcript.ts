// Folds the session's event stream into what the agent panel shows. Pure: the panel re-derives
// it from events, so a reload or a share replay shows exactly the same transcript.
import type { SessionEvent } from '../../../server/realtime/protocol.ts';
import type { PromptReportPayload } from './PromptInspector.tsx';

export interface ToolCard {
  callId: string; runId?: string; tool: string; input: unknown; effect?: string; highRisk?: string;
  /** The task profile of the run that made the call. */
  profile?: string;
  decision?: { decision: 'allow' | 'ask' | 'deny'; reason: string; by: string; protectedPath?: boolean };
  result?: { ok: boolean; output: string; detail?: Record<string, unknown>; durationMs: number };
  checkpoint?: { checkpointId: string; label: string };
  /** The run was interrupted (or ended) while this call had no result; Resume answers it. */
  interrupted?: boolean;
}

export type CardStatus = 'done' | 'failed' | 'interrupted' | 'denied' | 'waiting for approval' | 'running';

export function cardStatus(c: ToolCard): CardStatus {
  if (c.result) return c.result.ok ? 'done' : 'failed';
  if (c.interrupted) return 'interrupted';
  if (c.decision?.decision === 'deny') return 'denied';
  return c.decision?.decision === 'ask' ? 'waiting for approval' : 'running';
}

export type Item =
  | { kind: 'user'; seq: number; runId: string; text: string; queued: boolean }
  | { kind: 'assistant'; seq: number; runId: string; step: number; text: string; route: string }
  | { kind: 'tool'; seq: number; runId: string; card: ToolCard }
  | { kind: 'run-end'; seq: number; runId: string; outcome: string; steps: number; message?: string }
  | { kind: 'notice'; seq: number; text: string; runId?: string; resumable?: boolean }
  /** What a model call was sent, for the prompt inspector. */
  | { kind: 'prompt'; seq: number; runId: string; payload: PromptReportPayload };

type P = Record<string, unknown>;

export function transcript(events: SessionEvent[]): Item[] {
  const items: Item[] = [];
  const tools = new Map<string, ToolCard>();
  const queued = new Map<string, Extract<Item, { kind: 'user' }>>();
  const profiles = new Map<string, string>();
  const under = (runId: string) => (profiles.has(runId) ? ` under the ${profiles.get(runId)} profile` : '');
  const unanswered = (runId: string) => [...tools.values()].filter((c) => c.runId === runId && !c.result);
  for (const e of events) {
    const p = e.payload as P;
    const runId = String(p.runId ?? '');
    switch (e.type) {
      case 'agent.run.queued': {
        const item = { kind: 'user' as const, seq: e.seq, runId, text: String(p.text), queued: true };
        queued.set(runId, item);
        items.push(item);
        break;
      }
      case 'agent.run.started': {
        if (typeof p.profile === 'string') profiles.set(runId, p.profile);
        const q = queued.get(runId);
        if (q) q.queued = false;
        else items.push({ kind: 'user', seq: e.seq, runId, text: String(p.text), queued: false });
        break;
      }
      case 'agent.message':
        if (String(p.text).trim()) items.push({ kind: 'assistant', seq: e.seq, runId, step: Number(p.step), text: String(p.text), route: String(p.route) });
        break;
      case 'agent.checkpoint': {
        // Taken just before the call it names; the card shows "Rewind to here".
        const card: ToolCard = tools.get(String(p.callId)) ?? { callId: String(p.callId), tool: '', input: null };
        card.checkpoint = { checkpointId: String(p.checkpointId), label: String(p.label) };
        tools.set(card.callId, card);
        break;
      }
      case 'agent.tool.requested': {
        const card: ToolCard = tools.get(String(p.callId)) ?? { callId: String(p.callId), tool: '', input: null };
        Object.assign(card, { runId, tool: String(p.tool), input: p.input, effect: p.effect as string | undefined, highRisk: p.highRisk as string | undefined, profile: profiles.get(runId) });
        tools.set(card.callId, card);
        items.push({ kind: 'tool', seq: e.seq, runId, card });
        break;
      }
      case 'agent.policy.decision': {
        const card = tools.get(String(p.callId));
        if (card) card.decision = { decision: p.decision as 'allow', reason: String(p.reason), by: String(p.by), protectedPath: p.protectedPath === true };
        break;
      }
      case 'agent.tool.result': {
        const card = tools.get(String(p.callId));
        if (card) card.result = { ok: !!p.ok, output: String(p.output), detail: p.detail as Record<string, unknown> | undefined, durationMs: Number(p.durationMs) };
        break;
      }
      case 'agent.approval.requested':
        items.push({ kind: 'notice', seq: e.seq, runId, text: `Waiting for approval of ${String(p.tool)}${under(runId)} (${String(p.risk)} risk): ${String(p.reason)}` });
        break;
      case 'agent.approval.decided':
        items.push({ kind: 'notice', seq: e.seq, runId, text: `Approval ${String(p.outcome)}: ${String(p.reason)}.` });
        break;
      case 'agent.run.ended':
        unanswered(runId).forEach((c) => { c.interrupted = true; });
        items.push({ kind: 'run-end', seq: e.seq, runId, outcome: String(p.outcome), steps: Number(p.steps), message: p.message as string | undefined });
        break;
      case 'agent.run.interrupted':
        unanswered(runId).forEach((c) => { c.interrupted = true; });
        items.push({ kind: 'notice', seq: e.seq, runId, resumable: true, text: `Interrupted by a server restart after step ${String(p.lastStep)}.` });
        break;
      case 'agent.run.paused':
        items.push({ kind: 'notice', seq: e.seq, runId, resumable: true, text: `Paused after step ${String(p.lastStep)}: ${String(p.reason)}. An admin has been notified.` });
        break;
      case 'agent.run.resumed':
        // Resume answers the open calls first: they are running again until their results land.
        unanswered(runId).forEach((c) => { c.interrupted = false; });
        items.push({ kind: 'notice', seq: e.seq, runId, text: `Resumed from step ${String(p.fromStep)}.` });
        break;
      case 'agent.prompt.report':
        items.push({ kind: 'prompt', seq: e.seq, runId, payload: p as unknown as PromptReportPayload });
        break;
      case 'agent.model.failover':
        items.push({ kind: 'notice', seq: e.seq, runId, text: failoverText(p as { to: string; failed: { route: string; error: string }[] }) });
        break;
      case 'agent.rewind':
        items.push({ kind: 'notice', seq: e.seq, text: `Rewound the files to the checkpoint “${String(p.label)}”.` });
        break;
    }
  }
  // An interruption stays resumable only until the run resumes or ends after it.
  const movedOn = new Set<string>();
  for (let k = items.length - 1; k >= 0; k--) {
    const i = items[k]!;
    if (i.kind === 'notice' && i.resumable) i.resumable = !movedOn.has(i.runId!);
    else if ((i.kind === 'run-end' || i.kind === 'notice') && i.runId) movedOn.add(i.runId);
  }
  return items;
}

/** One line naming the route(s) that failed, why, and the one that answered instead. */
function failoverText(p: { to: string; failed: { route: string; error: string }[] }): string {
  const failed = p.failed.map((f) => `${f.route} failed (${f.error})`).join(', ');
  return `Model route ${failed}; ${p.to} answered instead.`;
}

const RUN_END_WORDS: Record<string, string> = {
  stopped: 'Stopped by a user',
  step_limit: 'Stopped at the step limit',
  budget: 'Stopped: this run\'s budget is used up',
  quota: 'Stopped: a daily quota is used up',
  not_configured: 'Not run: no model is configured',
  error: 'Failed',
};

/** Why a run ended, in words: a limit is a stop, not a failure. */
export function runEndText(i: Extract<Item, { kind: 'run-end' }>): string {
  const why = RUN_END_WORDS[i.outcome] ?? `Ended (${i.outcome})`;
  return `${why} after ${i.steps} step${i.steps === 1 ? '' : 's'}${i.message ? `. ${i.message}` : '.'}`;
}
