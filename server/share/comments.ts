// Comments from reviewers (a link with "comment" scope) on one event of a session, or on one line
// of that event's diff. Each is a Comment row and a comment.added event on the session's stream:
// the stream is what members already follow live, so comments reach them at once and stay in the
// timeline like everything else.
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { EventStream } from '../sessions/stream.ts';
import type { ResolvedLink } from './links.ts';

export const MAX_COMMENT_CHARS = 4_000;
export const commentInput = z.object({
  eventSeq: z.number().int().min(1),
  diffLine: z.number().int().min(1).nullable().default(null),
  text: z.string().trim().min(1, 'Write something to comment.').max(MAX_COMMENT_CHARS, `A comment is at most ${MAX_COMMENT_CHARS} characters.`),
  authorName: z.string().trim().min(1, 'Say who you are.').max(80, 'A name is at most 80 characters.'),
});

export class CommentError extends Error {
  override name = 'CommentError';
  constructor(readonly code: 'FORBIDDEN' | 'NOT_FOUND', message: string) { super(message); }
}

export class Comments {
  constructor(private readonly o: { db: Db; events: EventStream }) {}

  async add(link: ResolvedLink, userId: string | null, input: z.output<typeof commentInput>) {
    if (link.scope !== 'comment') throw new CommentError('FORBIDDEN', 'This link lets you view the session, not comment on it.');
    const target = await this.o.db.event.findUnique({ where: { sessionId_seq: { sessionId: link.sessionId, seq: input.eventSeq } }, select: { seq: true } });
    if (!target) throw new CommentError('NOT_FOUND', `There is no event #${input.eventSeq} in this session.`);
    const row = await this.o.db.comment.create({
      data: { sessionId: link.sessionId, shareLinkId: link.id, authorUserId: userId, authorName: input.authorName, eventSeq: input.eventSeq, diffLine: input.diffLine, text: input.text },
    });
    await this.o.events.append(link.sessionId, {
      type: 'comment.added',
      payload: { commentId: row.id, eventSeq: input.eventSeq, diffLine: input.diffLine, text: input.text, author: input.authorName, via: 'share' },
    }, { kind: 'user', id: userId });
    return { id: row.id };
  }
}
