// Share links: a member hands a reviewer a URL that opens one session read-only (scope "view") or
// read-and-comment ("comment"). The token is 256 random bits shown once; only its SHA-256 is
// stored. A link ends when it expires or is revoked; listeners (the viewer socket namespace) are
// told at once so open viewers are cut off. Every use is a team audit record.
import { z } from 'zod';
import { recordAudit } from '../audit/team-audit.ts';
import type { Principal } from '../auth/roles.ts';
import { newToken, tokenDigest } from '../auth/tokens.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Signals } from '../scale/signals.ts';
import type { SessionService } from '../sessions/service.ts';

export const shareScopeSchema = z.enum(['view', 'comment']);
export type ShareScope = z.infer<typeof shareScopeSchema>;

/** Hours a link lives: 1 hour … 30 days, or "never" (admins only). */
export const MAX_LINK_HOURS = 30 * 24;
export const createShareInput = z.object({
  sessionId: z.string().min(1).max(64),
  scope: shareScopeSchema,
  expiresInHours: z.union([z.number().int().min(1, 'A link lives at least an hour.').max(MAX_LINK_HOURS, 'A link lives at most 30 days.'), z.literal('never')]),
  membersOnly: z.boolean().default(false),
});

/** A token as it arrives in a URL: base64url of 32 bytes. Anything else is refused before any lookup. */
export const shareTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'This is not a valid share link.');

/**
 * "Never" is stored as this date: the column predates the option and stays non-null; the API
 * reports it as null.
 */
const NEVER = new Date('9999-12-31T00:00:00.000Z');

export interface ResolvedLink { id: string; sessionId: string; teamId: string; scope: ShareScope; expiresAt: Date; membersOnly: boolean }

export type LinkRefusal =
  | { ok: false; reason: 'unknown'; message: string }
  | { ok: false; reason: 'gone'; message: string }
  | { ok: false; reason: 'sign-in'; message: string }
  | { ok: false; reason: 'forbidden'; message: string };
export type LinkResolution = { ok: true; link: ResolvedLink } | LinkRefusal;

/** Who used a link, for its audit record. */
export interface LinkUser { address: string; userId: string | null }

export class ShareError extends Error {
  override name = 'ShareError';
  constructor(readonly code: 'FORBIDDEN' | 'NOT_FOUND', message: string) { super(message); }
}

/** Writing lastUsedAt on every scrub would make reads cost a write each; once a minute says enough. */
const LAST_USE_RESOLUTION_MS = 60_000;

export class ShareLinks {
  private readonly revokedListeners = new Set<(linkId: string) => void>();

  constructor(private readonly o: { db: Db; sessions: SessionService; signals: Signals; log: Logger }) {
    // A viewer may be connected to any instance: the revocation goes to all of them.
    o.signals.on('share.revoked', (payload) => {
      const linkId = (payload as { linkId?: unknown }).linkId;
      if (typeof linkId === 'string') for (const listener of this.revokedListeners) listener(linkId);
    });
  }

  /** Told when a link ends before its time (revoked, on any instance), so open viewers can be disconnected. */
  onRevoked(listener: (linkId: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => { this.revokedListeners.delete(listener); };
  }

  async create(principal: Principal, input: z.output<typeof createShareInput>) {
    const session = await this.o.sessions.get(principal, input.sessionId);
    if (input.expiresInHours === 'never' && principal.role !== 'admin') throw new ShareError('FORBIDDEN', 'Only an admin can make a link that never expires.');
    const token = newToken();
    const expiresAt = input.expiresInHours === 'never' ? NEVER : new Date(Date.now() + input.expiresInHours * 3_600_000);
    const link = await this.o.db.shareLink.create({
      data: { sessionId: session.id, tokenHash: tokenDigest(token), createdById: principal.user.id, scope: input.scope, expiresAt, membersOnly: input.membersOnly },
    });
    await recordAudit(this.o.db, {
      teamId: session.teamId, actorId: principal.user.id, action: 'share.created', target: link.id, sessionId: session.id,
      detail: { scope: input.scope, expiresAt: input.expiresInHours === 'never' ? null : expiresAt.toISOString(), membersOnly: input.membersOnly },
    });
    return { token, link: await this.describe(link.id) };
  }

  async list(principal: Principal, sessionId: string) {
    await this.o.sessions.get(principal, sessionId);
    const rows = await this.o.db.shareLink.findMany({ where: { sessionId }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    return Promise.all(rows.map((r) => this.describe(r.id)));
  }

  async revoke(principal: Principal, sessionId: string, linkId: string) {
    const session = await this.o.sessions.get(principal, sessionId);
    const changed = await this.o.db.shareLink.updateMany({ where: { id: linkId, sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (changed.count === 0) {
      const exists = await this.o.db.shareLink.count({ where: { id: linkId, sessionId } });
      if (!exists) throw new ShareError('NOT_FOUND', 'No such link for this session.');
      return this.describe(linkId);
    }
    // Viewers first, the audit record after. The link is already refused everywhere (the row says
    // so); a lost signal only leaves a viewer on another instance until its periodic re-check.
    await this.o.signals.send('share.revoked', { linkId }).catch((err: unknown) => this.o.log.error({ err, linkId }, 'could not tell other instances of a revoked share link'));
    await recordAudit(this.o.db, { teamId: session.teamId, actorId: principal.user.id, action: 'share.revoked', target: linkId, sessionId });
    return this.describe(linkId);
  }

  /**
   * Finds the link a token names and whether it may be used now, by this caller. Refusals of a
   * link that exists are audited too: someone holding an ended link tried it.
   */
  async resolve(token: string, principal: Principal | null, use: string, who: LinkUser): Promise<LinkResolution> {
    const row = await this.o.db.shareLink.findUnique({ where: { tokenHash: tokenDigest(token) }, include: { session: { select: { teamId: true } } } });
    if (!row) return { ok: false, reason: 'unknown', message: 'This share link does not exist.' };
    const link: ResolvedLink = { id: row.id, sessionId: row.sessionId, teamId: row.session.teamId, scope: shareScopeSchema.catch('view').parse(row.scope), expiresAt: row.expiresAt, membersOnly: row.membersOnly };
    const refusal = this.refusal(row, link, principal);
    if (refusal) {
      await this.audit(link, `share.refused`, who, { use, reason: refusal.reason });
      return refusal;
    }
    return { ok: true, link };
  }

  /** Re-checks a link already resolved (a long-lived socket): still not revoked, not expired. */
  async stillValid(linkId: string): Promise<boolean> {
    const row = await this.o.db.shareLink.findUnique({ where: { id: linkId }, select: { revokedAt: true, expiresAt: true } });
    return !!row && !row.revokedAt && row.expiresAt.getTime() > Date.now();
  }

  /** An audit record of one use; lastUsedAt moves at most once a minute. */
  async recordUse(link: ResolvedLink, use: string, who: LinkUser, detail: Record<string, unknown> = {}) {
    await this.audit(link, 'share.used', who, { use, ...detail });
    await this.o.db.shareLink.updateMany({
      where: { id: link.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(Date.now() - LAST_USE_RESOLUTION_MS) } }] },
      data: { lastUsedAt: new Date() },
    });
  }

  private refusal(row: { revokedAt: Date | null; expiresAt: Date }, link: ResolvedLink, principal: Principal | null): LinkRefusal | null {
    if (row.revokedAt) return { ok: false, reason: 'gone', message: 'This share link has been revoked.' };
    if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'gone', message: 'This share link has expired.' };
    if (link.membersOnly && !principal) return { ok: false, reason: 'sign-in', message: 'This link is for signed-in members of the team: sign in to open it.' };
    if (link.membersOnly && principal!.teamId !== link.teamId) return { ok: false, reason: 'forbidden', message: 'This link is for members of another team.' };
    return null;
  }

  private async audit(link: ResolvedLink, action: string, who: LinkUser, detail: Record<string, unknown>) {
    await recordAudit(this.o.db, { teamId: link.teamId, actorId: who.userId, action, target: link.id, sessionId: link.sessionId, detail: { ...detail, address: who.address } });
  }

  private async describe(linkId: string) {
    const row = await this.o.db.shareLink.findUniqueOrThrow({ where: { id: linkId } });
    const creator = await this.o.db.user.findUnique({ where: { id: row.createdById }, select: { name: true } });
    return {
      id: row.id, scope: row.scope, membersOnly: row.membersOnly, createdAt: row.createdAt.toISOString(),
      createdBy: creator?.name ?? 'a removed user',
      expiresAt: row.expiresAt.getTime() === NEVER.getTime() ? null : row.expiresAt.toISOString(),
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      revokedAt: row.revokedAt?.toISOString() ?? null,
    };
  }
}
