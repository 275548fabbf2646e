// Per-workspace secrets: encrypted at rest, write-only for people (listing shows names and
// rules, never values), and handed out only to the egress proxy (as request headers for the
// hosts a secret belongs to) and, where a secret's rule says so, as an environment variable of
// agent commands and terminals. Every change and every hand-out is a team audit entry.
import { recordAudit } from '../audit/team-audit.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { decryptSecret, encryptSecret } from './cipher.ts';
import type { Maskable } from './mask.ts';
import type { AddSecretInput } from './schemas.ts';

export type SecretErrorCode = 'NOT_FOUND' | 'EXISTS' | 'ENV_TAKEN';

export class SecretError extends Error {
  constructor(readonly code: SecretErrorCode, message: string) { super(message); }
}

export interface SecretInfo {
  name: string;
  hosts: string[];
  headerName: string;
  exposeAsEnv: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Who is acting: an admin for changes; a reason and a user (or null) for hand-outs. */
export interface SecretActor { teamId: string; userId: string }

type Row = Awaited<ReturnType<Db['workspaceSecret']['findFirstOrThrow']>>;

const aad = (workspaceId: string, name: string) => `${workspaceId}\0${name}`;

export function hostMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('*.')) return h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1;
  return h === pattern;
}

export class SecretStore {
  constructor(private readonly o: { db: Db; key: Buffer; log: Logger }) {}

  async list(actor: SecretActor, workspaceId: string): Promise<SecretInfo[]> {
    await this.workspaceOf(actor.teamId, workspaceId);
    const rows = await this.o.db.workspaceSecret.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } });
    return rows.map(info);
  }

  async add(actor: SecretActor, input: AddSecretInput): Promise<SecretInfo> {
    await this.workspaceOf(actor.teamId, input.workspaceId);
    const { db } = this.o;
    return db.$transaction(async (tx) => {
      if (await tx.workspaceSecret.findUnique({ where: { workspaceId_name: { workspaceId: input.workspaceId, name: input.name } } })) {
        throw new SecretError('EXISTS', `This workspace already has a secret named ${input.name}; rotate it to change its value.`);
      }
      if (input.exposeAsEnv && await tx.workspaceSecret.findFirst({ where: { workspaceId: input.workspaceId, exposeAsEnv: input.exposeAsEnv } })) {
        throw new SecretError('ENV_TAKEN', `Another secret of this workspace is already exposed as ${input.exposeAsEnv}.`);
      }
      const row = await tx.workspaceSecret.create({
        data: {
          workspaceId: input.workspaceId, name: input.name, ciphertext: encryptSecret(this.o.key, input.value, aad(input.workspaceId, input.name)),
          hosts: input.hosts, headerName: input.headerName, headerTemplate: input.headerTemplate, exposeAsEnv: input.exposeAsEnv, createdById: actor.userId,
        },
      });
      await recordAudit(tx, {
        teamId: actor.teamId, actorId: actor.userId, action: 'secret.created', target: `${input.workspaceId}/${input.name}`,
        detail: { hosts: input.hosts, headerName: input.headerName, exposeAsEnv: input.exposeAsEnv },
      });
      return info(row);
    });
  }

  async rotate(actor: SecretActor, ref: { workspaceId: string; name: string; value: string }): Promise<SecretInfo> {
    await this.workspaceOf(actor.teamId, ref.workspaceId);
    return this.o.db.$transaction(async (tx) => {
      const existing = await tx.workspaceSecret.findUnique({ where: { workspaceId_name: { workspaceId: ref.workspaceId, name: ref.name } } });
      if (!existing) throw notFound(ref.name);
      const row = await tx.workspaceSecret.update({
        where: { id: existing.id }, data: { ciphertext: encryptSecret(this.o.key, ref.value, aad(ref.workspaceId, ref.name)) },
      });
      await recordAudit(tx, { teamId: actor.teamId, actorId: actor.userId, action: 'secret.rotated', target: `${ref.workspaceId}/${ref.name}` });
      return info(row);
    });
  }

  async remove(actor: SecretActor, ref: { workspaceId: string; name: string }): Promise<void> {
    await this.workspaceOf(actor.teamId, ref.workspaceId);
    await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.workspaceSecret.deleteMany({ where: { workspaceId: ref.workspaceId, name: ref.name } });
      if (!count) throw notFound(ref.name);
      await recordAudit(tx, { teamId: actor.teamId, actorId: actor.userId, action: 'secret.deleted', target: `${ref.workspaceId}/${ref.name}` });
    });
  }

  /**
   * The headers the egress proxy adds to a request from this workspace to `host`: one per secret
   * that names the host. Each hand-out is audited. A secret that no longer decrypts is skipped
   * (and logged): the request then goes out without it and fails upstream, visibly.
   */
  async headersFor(workspaceId: string, host: string): Promise<Record<string, string>> {
    const rows = (await this.o.db.workspaceSecret.findMany({ where: { workspaceId }, orderBy: { name: 'asc' } }))
      .filter((r) => hostsOf(r).some((p) => hostMatches(p, host)));
    const headers: Record<string, string> = {};
    for (const r of rows) {
      const value = this.open(r);
      if (value === null) continue;
      headers[r.headerName] = r.headerTemplate.split('{secret}').join(value);
      await this.audited(workspaceId, null, r.name, { purpose: 'proxy', host: host.toLowerCase() });
    }
    return headers;
  }

  /**
   * Environment variables for a process in the workspace's sandbox: only secrets whose rule
   * names a variable (exposeAsEnv). Each hand-out is audited with whom it was for.
   */
  async envFor(workspaceId: string, purpose: { kind: 'agent-command' | 'terminal'; userId: string | null }): Promise<Record<string, string>> {
    const rows = await this.o.db.workspaceSecret.findMany({ where: { workspaceId, exposeAsEnv: { not: null } }, orderBy: { name: 'asc' } });
    const env: Record<string, string> = {};
    for (const r of rows) {
      const value = this.open(r);
      if (value === null) continue;
      env[r.exposeAsEnv!] = value;
      await this.audited(workspaceId, purpose.userId, r.name, { purpose: purpose.kind, env: r.exposeAsEnv });
    }
    return env;
  }

  /**
   * Every value of the workspace, for masking text bound for the model. Not audited: the values
   * are compared on the server and never leave it.
   */
  async maskablesFor(workspaceId: string): Promise<Maskable[]> {
    const rows = await this.o.db.workspaceSecret.findMany({ where: { workspaceId } });
    return rows.flatMap((r) => { const value = this.open(r); return value === null ? [] : [{ name: r.name, value }]; });
  }

  private open(r: Row): string | null {
    try {
      return decryptSecret(this.o.key, r.ciphertext, aad(r.workspaceId, r.name));
    } catch (err) {
      this.o.log.error({ workspaceId: r.workspaceId, secret: r.name, err: (err as Error).message }, 'a workspace secret does not decrypt (wrong TETHER_SECRET_KEY, or the row was altered)');
      return null;
    }
  }

  private async audited(workspaceId: string, actorId: string | null, name: string, detail: Record<string, unknown>) {
    const ws = await this.o.db.workspace.findUnique({ where: { id: workspaceId }, select: { teamId: true } });
    if (ws) await recordAudit(this.o.db, { teamId: ws.teamId, actorId, action: 'secret.read', target: `${workspaceId}/${name}`, detail });
  }

  private async workspaceOf(teamId: string, workspaceId: string) {
    const ws = await this.o.db.workspace.findFirst({ where: { id: workspaceId, teamId }, select: { id: true } });
    if (!ws) throw new SecretError('NOT_FOUND', 'No such workspace in your team.');
    return ws;
  }
}

function hostsOf(r: Row): string[] {
  return Array.isArray(r.hosts) ? (r.hosts as unknown[]).filter((h): h is string => typeof h === 'string') : [];
}

function info(r: Row): SecretInfo {
  return { name: r.name, hosts: hostsOf(r), headerName: r.headerName, exposeAsEnv: r.exposeAsEnv, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

function notFound(name: string) {
  return new SecretError('NOT_FOUND', `This workspace has no secret named ${name}.`);
}
