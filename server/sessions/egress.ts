// What the egress proxy of a workspace asks: is this host on the team's or the workspace's
// allowlist, and if not, does a person say yes? The question is an approval in the workspace's
// most recent session (the same prompt and queue as agent calls; "Allow always" adds the host to
// the workspace's allowlist). Concurrent connections to one host share one approval. Every
// attempt becomes a team audit entry and a `workspace.egress` event in that session.
import { randomUUID } from 'node:crypto';
import type { ApprovalService } from '../agent/approvals/service.ts';
import { EGRESS_TOOL } from '../agent/approvals/suggested-rules.ts';
import { recordAudit } from '../audit/team-audit.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { workspaceAllowlist } from '../workspace/egress/allowlist-store.ts';
import { allowlistMatches } from '../workspace/egress/hosts.ts';
import type { EgressPolicy } from '../workspace/egress/proxies.ts';
import type { EgressAttempt, EgressRequest, EgressVerdict } from '../workspace/egress/proxy.ts';
import { systemActor } from './event-types.ts';
import type { EventStream } from './stream.ts';

/** A person's answer is recorded as by "user:<id>", so audit entries name who decided. */
const USER_PREFIX = 'user:';

interface Pending { answer: Promise<EgressVerdict>; controller: AbortController; waiters: number }

export function egressPolicy(o: { db: Db; events: EventStream; approvals: ApprovalService; log: Logger }): EgressPolicy {
  const pending = new Map<string, Pending>();

  const workspaceOf = (id: string) => o.db.workspace.findUnique({ where: { id }, select: { teamId: true } });
  const latestSession = (workspaceId: string) =>
    o.db.session.findFirst({ where: { workspaceId, status: 'active' }, orderBy: { updatedAt: 'desc' }, select: { id: true } });

  /** `write`: a request that writes to an allowed host (high risk, as a high-risk agent call); else an unlisted host. */
  async function ask(workspaceId: string, r: EgressRequest, signal: AbortSignal, write?: string): Promise<EgressVerdict> {
    const session = await latestSession(workspaceId);
    if (!session) return { allow: false, by: 'egress:no-session', reason: `${write ?? `${r.host} is not on the allowlist`} and the workspace has no active session to ask in` };
    const answer = await o.approvals.ask({
      sessionId: session.id, runId: '', callId: `egress-${randomUUID()}`, tool: EGRESS_TOOL, userId: null,
      input: { host: r.host, port: r.port, method: r.method, path: r.path },
      decision: write
        ? { decision: 'ask', risk: 'high', rule: null, by: 'egress:write', reason: `workspace wants to write: ${write}` }
        : { decision: 'ask', risk: 'medium', rule: null, by: 'egress', reason: `workspace wants to reach ${r.host}:${r.port}, which is not on the allowlist` },
    }, signal);
    const by = answer.by === null ? 'egress:cancelled' : answer.by === 'timeout' ? 'timeout' : `${USER_PREFIX}${answer.by}`;
    return { allow: answer.granted, by, reason: answer.reason };
  }

  /** One approval per workspace and host:port at a time; it is cancelled only when every waiter gave up. */
  function shared(workspaceId: string, r: EgressRequest, signal: AbortSignal): Promise<EgressVerdict> {
    const key = `${workspaceId} ${r.host}:${r.port}`;
    let p = pending.get(key);
    if (!p) {
      const controller = new AbortController();
      const created: Pending = { controller, waiters: 0, answer: ask(workspaceId, r, controller.signal).finally(() => pending.delete(key)) };
      pending.set(key, created);
      p = created;
    }
    const entry = p;
    entry.waiters++;
    return new Promise<EgressVerdict>((resolve, reject) => {
      const onAbort = () => {
        if (--entry.waiters === 0) entry.controller.abort();
        resolve({ allow: false, by: 'egress:gave-up', reason: `nobody answered in time about ${r.host}` });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async function persist(workspaceId: string, a: EgressAttempt): Promise<void> {
    const ws = await workspaceOf(workspaceId);
    if (!ws) return;
    const actorId = a.by.startsWith(USER_PREFIX) ? a.by.slice(USER_PREFIX.length) : null;
    await recordAudit(o.db, {
      teamId: ws.teamId, actorId, action: a.allow ? 'egress.allowed' : 'egress.denied', target: `${a.host}:${a.port}`,
      detail: { workspaceId, method: a.method, path: a.path, address: a.address, by: a.by, reason: a.reason },
    });
    const session = await latestSession(workspaceId);
    if (session) {
      await o.events.append(session.id, {
        type: 'workspace.egress',
        payload: { host: a.host, port: a.port, method: a.method, path: a.path, allowed: a.allow, by: a.by, reason: a.reason },
      }, actorId ? { kind: 'user', id: actorId } : systemActor);
    }
  }

  return {
    async decide(workspaceId, r, signal) {
      const ws = await workspaceOf(workspaceId);
      if (!ws) return { allow: false, by: 'egress:unknown-workspace', reason: 'the workspace no longer exists' };
      const entry = allowlistMatches(await workspaceAllowlist(o.db, ws.teamId, workspaceId), r.host);
      if (entry) return { allow: true, by: `allowlist:${entry}`, reason: `${entry} is on the allowlist` };
      return shared(workspaceId, r, signal);
    },
    approveWrite(workspaceId, r, what, signal) {
      return ask(workspaceId, r, signal, what);
    },
    record(workspaceId, a) {
      persist(workspaceId, a).catch((err: unknown) => o.log.error({ err, workspaceId, host: a.host }, 'could not record an egress attempt'));
    },
  };
}
