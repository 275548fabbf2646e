// What a share link's holder may read, bound to the link's own session: the session is never
// taken from the caller's input, so a token opens exactly one session. Nothing here writes.
import type { Db } from '../db/client.ts';
import type { ResolvedLink } from './links.ts';
import type { SessionReplay } from './replay.ts';

export class ViewerReads {
  constructor(private readonly o: { db: Db; replay: SessionReplay }) {}

  /** The session's header, and the names of the people its events mention (who decided approvals, who typed). */
  async summary(link: ResolvedLink) {
    const s = await this.o.db.session.findUniqueOrThrow({
      where: { id: link.sessionId },
      select: { title: true, status: true, lastSeq: true, ownerId: true, owner: { select: { name: true } }, workspace: { select: { status: true } } },
    });
    const actors = await this.o.db.event.findMany({ where: { sessionId: link.sessionId, actorId: { not: null } }, distinct: ['actorId'], select: { actorId: true } });
    const ids = [...new Set([s.ownerId, ...actors.map((a) => a.actorId!)])];
    const users = await this.o.db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
    return {
      title: s.title, status: s.status, lastSeq: s.lastSeq, owner: s.owner.name, workspaceStatus: s.workspace?.status ?? 'none',
      scope: link.scope, people: Object.fromEntries(users.map((u) => [u.id, u.name])) as Record<string, string>,
    };
  }

  treeAt(link: ResolvedLink, seq: number) {
    return this.o.replay.treeAt(link.sessionId, seq);
  }

  fileAt(link: ResolvedLink, seq: number, path: string) {
    return this.o.replay.fileAt(link.sessionId, seq, path);
  }
}
