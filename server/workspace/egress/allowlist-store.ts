// The egress allowlist as stored: entries per team and per workspace. A team gets the defaults
// the first time its list is read; after that the list is its admins' (a removed default stays
// removed). Every change is a team audit entry. Read fresh for each connection (one indexed
// query), so an edit applies to the very next connection with no cache to invalidate.
import { z } from 'zod';
import { recordAudit } from '../../audit/team-audit.ts';
import type { Db } from '../../db/client.ts';
import { allowlistEntrySchema, DEFAULT_EGRESS_ALLOWLIST } from './hosts.ts';

const idSchema = z.string().min(1).max(64);

export const addEgressEntryInput = z.object({
  host: allowlistEntrySchema,
  /** Null: the whole team. */
  workspaceId: idSchema.nullable().default(null),
  note: z.string().trim().max(500, 'Note too long (500 characters at most)').default(''),
});
export const egressEntryIdInput = z.object({ id: idSchema });

export interface EgressEntry { id: string; host: string; workspaceId: string | null; note: string; createdById: string | null; createdAt: string }

type Row = Awaited<ReturnType<Db['egressAllowEntry']['findFirstOrThrow']>>;
const toEntry = (r: Row): EgressEntry => ({
  id: r.id, host: r.host, workspaceId: r.workspaceId, note: r.note, createdById: r.createdById, createdAt: r.createdAt.toISOString(),
});

async function ensureDefaults(db: Db, teamId: string): Promise<void> {
  if (await db.teamEgressSettings.findUnique({ where: { teamId } })) return;
  await db.$transaction(async (tx) => {
    // The settings row's primary key makes a racing second instance fail here instead of doubling the list.
    await tx.teamEgressSettings.create({ data: { teamId } });
    await tx.egressAllowEntry.createMany({ data: DEFAULT_EGRESS_ALLOWLIST.map((host) => ({ teamId, host, note: 'default' })) });
  }).catch(async (err: unknown) => {
    if (!(await db.teamEgressSettings.findUnique({ where: { teamId } }))) throw err;
  });
}

/** The team's entries and every workspace's, team entries first. */
export async function listEgressEntries(db: Db, teamId: string): Promise<EgressEntry[]> {
  await ensureDefaults(db, teamId);
  const rows = await db.egressAllowEntry.findMany({ where: { teamId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.sort((a, b) => Number(a.workspaceId !== null) - Number(b.workspaceId !== null)).map(toEntry);
}

/** The hosts one workspace may reach: its team's entries and its own. */
export async function workspaceAllowlist(db: Db, teamId: string, workspaceId: string): Promise<string[]> {
  await ensureDefaults(db, teamId);
  const rows = await db.egressAllowEntry.findMany({ where: { teamId, OR: [{ workspaceId: null }, { workspaceId }] }, select: { host: true } });
  return rows.map((r) => r.host);
}

export type AddEgressResult = { ok: true; entry: EgressEntry } | { ok: false; error: string };

export async function addEgressEntry(db: Db, a: { teamId: string; actorId: string | null; input: z.input<typeof addEgressEntryInput> }): Promise<AddEgressResult> {
  const input = addEgressEntryInput.parse(a.input);
  await ensureDefaults(db, a.teamId);
  if (input.workspaceId && !(await db.workspace.findFirst({ where: { id: input.workspaceId, teamId: a.teamId }, select: { id: true } }))) {
    return { ok: false, error: 'No such workspace in this team.' };
  }
  const existing = await db.egressAllowEntry.findFirst({ where: { teamId: a.teamId, workspaceId: input.workspaceId, host: input.host } });
  if (existing) return { ok: true, entry: toEntry(existing) };
  const row = await db.$transaction(async (tx) => {
    const created = await tx.egressAllowEntry.create({ data: { teamId: a.teamId, workspaceId: input.workspaceId, host: input.host, note: input.note, createdById: a.actorId } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'egress.allowlist.added', target: input.host, detail: { entryId: created.id, workspaceId: input.workspaceId, note: input.note } });
    return created;
  });
  return { ok: true, entry: toEntry(row) };
}

export async function removeEgressEntry(db: Db, a: { teamId: string; actorId: string; id: string }): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.egressAllowEntry.findFirst({ where: { id: a.id, teamId: a.teamId } });
    if (!row) return false;
    await tx.egressAllowEntry.delete({ where: { id: row.id } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'egress.allowlist.removed', target: row.host, detail: { entryId: row.id, workspaceId: row.workspaceId } });
    return true;
  });
}
