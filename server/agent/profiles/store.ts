// Where profiles live: one TaskProfile row per team and name, the built-ins seeded the first time
// a team's profiles are read. Every change is a team audit entry; specs are parsed on every read,
// so a row that no longer validates is refused, never half-applied.
import { recordAudit } from '../../audit/team-audit.ts';
import type { Db } from '../../db/client.ts';
import { BUILTIN_PROFILES } from './builtins.ts';
import { profileSpecSchema, type ProfileInput, type RunProfile } from './spec.ts';

export interface ProfileView extends RunProfile { id: string; description: string; builtIn: boolean; updatedAt: string }

const BUILTIN_ORDER = BUILTIN_PROFILES.map((p) => p.name);

type Row = Awaited<ReturnType<Db['taskProfile']['findFirstOrThrow']>>;

export class ProfileError extends Error {}

function view(r: Row): ProfileView {
  const spec = profileSpecSchema.safeParse(r.spec);
  if (!spec.success) throw new ProfileError(`The stored ${r.name} profile is not valid (${spec.error.issues[0]?.message}); an admin must save it again.`);
  return { id: r.id, name: r.name, description: r.description, spec: spec.data, builtIn: r.builtIn, updatedAt: r.updatedAt.toISOString() };
}

/** Creates the built-in profiles a team lacks (idempotent: a concurrent seed loses to the unique index). */
async function seed(db: Db, teamId: string): Promise<void> {
  const have = new Set((await db.taskProfile.findMany({ where: { teamId }, select: { name: true } })).map((r) => r.name));
  for (const p of BUILTIN_PROFILES.filter((b) => !have.has(b.name))) {
    await db.taskProfile.create({ data: { teamId, name: p.name, description: p.description, spec: p.spec, builtIn: true } }).catch((err: unknown) => {
      if (!String(err).includes('Unique constraint')) throw err;
    });
  }
}

export async function listProfiles(db: Db, teamId: string): Promise<ProfileView[]> {
  await seed(db, teamId);
  const rows = await db.taskProfile.findMany({ where: { teamId }, orderBy: [{ createdAt: 'asc' }, { name: 'asc' }] });
  // Built-ins first, in their own order (ask … release: from least to most reach), then the team's own.
  const rank = (r: Row) => (r.builtIn ? BUILTIN_ORDER.indexOf(r.name) : BUILTIN_ORDER.length);
  return rows.sort((a, b) => rank(a) - rank(b)).map(view);
}

/** The profile a run starts under, or null when the team has no profile of that name. */
export async function profileFor(db: Db, teamId: string, name: string): Promise<RunProfile | null> {
  await seed(db, teamId);
  const row = await db.taskProfile.findUnique({ where: { teamId_name: { teamId, name } } });
  return row ? { name: row.name, spec: view(row).spec } : null;
}

/** Creates or replaces a profile (admins only: the tRPC router checks). */
export async function saveProfile(db: Db, a: { teamId: string; actorId: string; profile: ProfileInput }): Promise<ProfileView> {
  await seed(db, a.teamId);
  const { name, description, spec } = a.profile;
  return db.$transaction(async (tx) => {
    const before = await tx.taskProfile.findUnique({ where: { teamId_name: { teamId: a.teamId, name } } });
    const row = before
      ? await tx.taskProfile.update({ where: { id: before.id }, data: { description, spec, updatedById: a.actorId } })
      : await tx.taskProfile.create({ data: { teamId: a.teamId, name, description, spec, updatedById: a.actorId } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: before ? 'profile.updated' : 'profile.created', target: name, detail: { before: before?.spec ?? null, after: spec } });
    return view(row);
  });
}

export async function deleteProfile(db: Db, a: { teamId: string; actorId: string; name: string }): Promise<void> {
  const row = await db.taskProfile.findUnique({ where: { teamId_name: { teamId: a.teamId, name: a.name } } });
  if (!row) throw new ProfileError(`There is no ${a.name} profile.`);
  if (row.builtIn) throw new ProfileError(`${a.name} is a built-in profile: edit it instead of deleting it.`);
  await db.$transaction(async (tx) => {
    await tx.taskProfile.delete({ where: { id: row.id } });
    await recordAudit(tx, { teamId: a.teamId, actorId: a.actorId, action: 'profile.deleted', target: a.name, detail: { before: row.spec } });
  });
}
