// What a reviewer's timeline shows for each event: a title in words, who acted, and the detail
// worth reading (the message, the command, the diff). Pure, so the page and the benchmark share it.
import type { SessionEvent } from '../../../server/realtime/protocol.ts';

export interface TimelineEntry {
  seq: number;
  type: string;
  title: string;
  actor: string | null;
  text: string | null;
  diff: string | null;
  time: string;
}

export interface CommentView { id: string; eventSeq: number; diffLine: number | null; text: string; author: string; seq: number }

type Payload = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : null);

function describe(e: SessionEvent, name: (id: string | null) => string | null): Pick<TimelineEntry, 'title' | 'text' | 'diff'> {
  const p = (e.payload ?? {}) as Payload;
  const input = (p.input && typeof p.input === 'object' ? p.input : {}) as Payload;
  const detail = (p.detail && typeof p.detail === 'object' ? p.detail : {}) as Payload;
  switch (e.type) {
    case 'user.message': return { title: 'Message to the agent', text: str(p.text), diff: null };
    case 'agent.message': return { title: 'The agent replied', text: str(p.text), diff: null };
    case 'agent.tool.requested': return { title: `Tool call ${str(p.tool)}`, text: str(input.command) ?? str(input.path) ?? JSON.stringify(p.input), diff: null };
    case 'agent.tool.result': return { title: `Tool ${str(p.tool)} ${p.ok ? 'done' : 'failed'}`, text: str(detail.diff) ? null : str(p.output), diff: str(detail.diff) };
    case 'agent.policy.decision': return { title: `Policy: ${str(p.decision)} (${str(p.risk) ?? 'unclassified'})`, text: str(p.reason), diff: null };
    case 'agent.approval.requested': return { title: `Approval requested for ${str(p.tool)} (${str(p.risk)} risk)`, text: str(p.reason), diff: null };
    case 'agent.approval.decided': {
      const by = name(str(p.by));
      return { title: `Approval ${str(p.outcome)}${by ? ` by ${by}` : ''}`, text: str(p.reason), diff: null };
    }
    case 'agent.checkpoint': return { title: 'Checkpoint', text: str(p.label), diff: null };
    case 'terminal.opened': return { title: `${str(p.title) ?? 'Terminal'} opened`, text: null, diff: null };
    case 'terminal.closed': return { title: 'Terminal closed', text: str(p.reason), diff: null };
    case 'terminal.command': return { title: 'Command in a terminal', text: `$ ${str(p.command) ?? ''}${typeof p.exitCode === 'number' && p.exitCode !== 0 ? ` (exit ${p.exitCode})` : ''}`, diff: null };
    case 'file.changed': return { title: `File ${str(p.change)}`, text: str(p.path), diff: null };
    case 'comment.added': return { title: `Comment by ${str(p.author)}`, text: str(p.text), diff: null };
    default: {
      if (e.type.startsWith('memory.')) return { title: `Memory ${e.type.slice('memory.'.length)}`, text: str(p.text) ?? str(p.reason) ?? str(p.itemId), diff: null };
      const words = e.type.replace(/[._]/g, ' ');
      return { title: words[0]!.toUpperCase() + words.slice(1), text: str(p.message) ?? str(p.title) ?? str(p.reason) ?? str(p.error) ?? null, diff: null };
    }
  }
}

export function toEntry(e: SessionEvent, people: Record<string, string>): TimelineEntry {
  const name = (id: string | null) => (id ? people[id] ?? null : null);
  const actor = e.actorKind === 'agent' ? 'agent' : e.actorKind === 'system' ? null : name(e.actorId) ?? (e.actorId ? 'a member' : null);
  return { seq: e.seq, type: e.type, actor, time: e.createdAt, ...describe(e, name) };
}

/** Comments grouped by the event they are about. */
export function commentsByEvent(events: SessionEvent[]): Map<number, CommentView[]> {
  const out = new Map<number, CommentView[]>();
  for (const e of events) {
    if (e.type !== 'comment.added') continue;
    const p = e.payload as { commentId: string; eventSeq: number; diffLine: number | null; text: string; author: string };
    const list = out.get(p.eventSeq) ?? [];
    list.push({ id: p.commentId, eventSeq: p.eventSeq, diffLine: p.diffLine, text: p.text, author: p.author, seq: e.seq });
    out.set(p.eventSeq, list);
  }
  return out;
}

/** Kinds that would drown the timeline; they stay in the stream (and the audit view). */
export const QUIET_KINDS = new Set(['agent.usage', 'agent.prompt.report', 'workspace.progress', 'comment.added']);
