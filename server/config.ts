// Every environment variable Tether reads, parsed once. Server code imports `config`, never process.env.
import path from 'node:path';
import { z } from 'zod';
import { contextSettingsFromEnv } from './models/context-windows.ts';
import { routeEntrySchema } from './models/routes.ts';
import { parseSecretKey } from './secrets/key.ts';
import { allowlistEntrySchema } from './workspace/egress/hosts.ts';
import { limitsFromEnv, type SandboxLimits } from './workspace/limits.ts';
import { DEFAULT_DISK_QUOTA_BYTES, MIN_WORKSPACE_DISK_BYTES } from './workspace/volumes.ts';
import {
  DEFAULT_KUBERNETES_SETTINGS, dnsLabelSchema, imageSchema, quantitySchema, resourcePairSchema, storageClassSchema, type KubernetesSettings,
} from './workspace/kubernetes/settings.ts';

export const boolFlag = z
  .enum(['0', '1', 'true', 'false'], { message: 'expected 1/0 or true/false' })
  .optional()
  .transform((v) => v === '1' || v === 'true');

const duration = (fallback: number) =>
  z.coerce.number({ message: 'expected a number of seconds' }).int().positive().default(fallback);

export const configSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TETHER_DATA_DIR: z.string().min(1).default('./data'),
  /** Empty: SQLite in the data dir. postgresql://… switches to PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|file:)/, 'expected postgresql://… or file:…')
    .optional(),
  /** Origins allowed to open a Socket.IO connection or send a state-changing API request, comma-separated; default: the server's own. */
  TETHER_ALLOWED_ORIGINS: z.string().optional(),
  /** Public URL users reach Tether at (behind a proxy); also marks cookies Secure when https. */
  TETHER_PUBLIC_URL: z.url({ message: 'expected an absolute URL' }).optional(),
  TETHER_SESSION_TTL: duration(7 * 24 * 3600),
  /** Largest request body for file saves from the editor; every other API call is capped at 1 MiB. */
  TETHER_MAX_UPLOAD_BYTES: z.coerce.number({ message: 'expected a number of bytes' }).int().min(1024 * 1024, 'expected at least 1048576 (1 MiB)').default(32 * 1024 * 1024),
  // Scale-out (server/scale/). Both unset: one instance, everything in process.
  /** redis://… : several instances share events, sockets, rate limits, agent-run leases and approvals through it. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis://… or rediss://…').optional(),
  /** Where browsers reach this instance directly, when they can: a page for a session another instance runs is redirected there. */
  TETHER_INSTANCE_URL: z.url({ message: 'expected an absolute URL' }).optional(),
  /** Prefix of every Redis key and channel: several deployments (or test runs) can share one Redis. */
  TETHER_REDIS_PREFIX: z.string().regex(/^[\w.:-]{1,64}$/, 'expected letters, digits, . : _ or -').default('tether:'),
  /** This instance's name in leases, workspace ownership and logs; default: host name and process id. */
  TETHER_INSTANCE_ID: z.string().regex(/^[\w.:-]{1,100}$/, 'expected letters, digits, . : _ or -').optional(),
  /** Seconds between an instance's heartbeats; three missed, its workspaces may move to another instance. */
  TETHER_INSTANCE_HEARTBEAT: duration(10),
  /** OTLP/HTTP collector (e.g. http://otel-collector:4318): agent steps and model calls are traced there. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ message: 'expected an absolute URL' }).optional(),
  /** Bearer token Prometheus sends for /metrics; without it /metrics answers loopback clients only. */
  TETHER_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  TETHER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Workspaces (server/workspace/). TETHER_SANDBOX_* limits are parsed by workspace/limits.ts.
  /** Start even where processes cannot be sandboxed. Dangerous: the UI says so on every session. */
  TETHER_UNSAFE_NO_SANDBOX: boolFlag,
  /** A terminal nobody has typed in or watched for this long is closed. */
  TETHER_TERMINAL_IDLE_TIMEOUT: duration(4 * 3600),
  /** Where workspaces live; default: the data dir, or /var/lib/tether/<digest> when other users cannot reach it. */
  TETHER_WORKSPACES_DIR: z.string().min(1).optional(),
  /** Disk space of each workspace (files and checkpoints); 0 turns the quota off. */
  TETHER_WORKSPACE_DISK_BYTES: z.coerce.number({ message: 'expected a number of bytes' }).int()
    .refine((n) => n === 0 || n >= MIN_WORKSPACE_DISK_BYTES, `expected 0 (off) or at least ${MIN_WORKSPACE_DISK_BYTES} bytes`)
    .default(DEFAULT_DISK_QUOTA_BYTES),
  /** Where workspaces run: `local` (bubblewrap sandboxes on this host) or `kubernetes` (a pod each; server/workspace/kubernetes/). */
  TETHER_WORKSPACE_PROVIDER: z.enum(['local', 'kubernetes'], { message: 'expected local or kubernetes' }).default('local'),
  // The kubernetes provider's pods (docs/deploy.md). The cluster comes from the kubeconfig or the in-cluster service account.
  TETHER_K8S_NAMESPACE: dnsLabelSchema.default(DEFAULT_KUBERNETES_SETTINGS.namespace),
  /** The workspace image: needs sh, bash, GNU find and coreutils; required with the kubernetes provider. */
  TETHER_K8S_IMAGE: imageSchema.optional(),
  /** Storage class of each workspace's volume claim; default: the cluster's default class. */
  TETHER_K8S_STORAGE_CLASS: storageClassSchema.optional(),
  /** CPU of each pod: `request` or `request/limit`, e.g. 500m/2. */
  TETHER_K8S_CPU: resourcePairSchema.optional(),
  /** Memory of each pod: `request` or `request/limit`, e.g. 1Gi/2Gi. */
  TETHER_K8S_MEMORY: resourcePairSchema.optional(),
  /** Size of each workspace's volume claim: its disk quota. */
  TETHER_K8S_DISK: quantitySchema.optional(),
  /** Size of each workspace's checkpoint store (a second claim, mounted only in the checkpoints container). */
  TETHER_K8S_SNAPSHOT_DISK: quantitySchema.optional(),
  /** Comma-separated absolute directories members may clone server-local repositories from (admins: anywhere). */
  TETHER_GIT_LOCAL_ROOTS: z.string().optional().transform((v) => (v ?? '').split(',').map((r) => r.trim()).filter(Boolean))
    .refine((roots) => roots.every((r) => path.isAbsolute(r)), 'expected comma-separated absolute paths'),

  // Models (server/models/). Keys stay on the server: never logged, stored in events or sent to a browser.
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url({ message: 'expected an absolute URL' }).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** OpenAI's endpoint, and the endpoint of `compat:` routes (Ollama, vLLM, llama.cpp, OpenRouter …). */
  OPENAI_BASE_URL: z.url({ message: 'expected an absolute URL' }).optional(),
  /** Ordered `provider:model` list, comma-separated: the primary first, then fallbacks. */
  TETHER_MODELS: z.string().optional().refine(
    (v) => !v || v.split(',').map((r) => r.trim()).filter(Boolean).every((r) => routeEntrySchema.safeParse(r).success),
    'expected comma-separated provider:model entries, provider one of anthropic, openai, compat',
  ),
  /** The extraction task's routes, same format; without it extraction uses TETHER_MODELS. */
  TETHER_MODELS_EXTRACTION: z.string().optional().refine(
    (v) => !v || v.split(',').map((r) => r.trim()).filter(Boolean).every((r) => routeEntrySchema.safeParse(r).success),
    'expected comma-separated provider:model entries, provider one of anthropic, openai, compat',
  ),
  // TETHER_MODEL_CONTEXT_<n> (provider:model=tokens) is parsed by models/context-windows.ts.
  /** A model call that has not produced its first token by then fails over to the next route. */
  TETHER_MODEL_TIMEOUT: duration(60),
  /** Daily quotas and the per-run budget; 0 means unlimited. */
  TETHER_QUOTA_USER_DAILY_TOKENS: z.coerce.number().int().min(0).default(0),
  TETHER_QUOTA_USER_DAILY_USD: z.coerce.number().min(0).default(0),
  TETHER_QUOTA_TEAM_DAILY_TOKENS: z.coerce.number().int().min(0).default(0),
  TETHER_QUOTA_TEAM_DAILY_USD: z.coerce.number().min(0).default(0),
  TETHER_RUN_BUDGET_TOKENS: z.coerce.number().int().min(0).default(0),
  TETHER_RUN_BUDGET_USD: z.coerce.number().min(0).default(0),
  TETHER_AGENT_MAX_STEPS: z.coerce.number().int().positive().default(50),
  // Approvals (server/agent/approvals/): an unanswered approval is denied after this many seconds.
  TETHER_APPROVAL_TIMEOUT: duration(15 * 60),

  // Secrets and the release guard (server/secrets/, server/agent/tools/release-check.ts).
  /** 32 bytes (base64 or hex) that workspace secrets are encrypted under; default: a 0600 key file in the data dir. */
  TETHER_SECRET_KEY: z.string().optional().refine((v) => {
    if (!v) return true;
    try { parseSecretKey(v); return true; } catch { return false; }
  }, 'expected 32 bytes as base64 or hex'),
  /** Host names that must never ship in a package (comma-separated; "*.corp.example" for subdomains). */
  TETHER_RELEASE_INTERNAL_HOSTS: z.string().optional().transform((v) => (v ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  // Egress (server/workspace/egress/): the proxy that is a network-on workspace's only way out.
  /**
   * Upstreams reached at a fixed address even when it is private, `name:port=address:port`,
   * comma-separated (an internal package mirror; end-to-end tests). Still subject to the allowlist.
   */
  TETHER_EGRESS_PINNED: z.string().optional().transform((v, ctx) => {
    const pinned = new Map<string, { host: string; port: number }>();
    for (const item of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^([a-z0-9.-]+:\d{1,5})=([0-9a-f.:]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(item);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected name:port=address:port, got "${item}"` });
        return z.NEVER;
      }
      pinned.set(m[1]!.toLowerCase(), { host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) });
    }
    return pinned;
  }),
  /**
   * Hosts whose HTTPS is never terminated by the egress proxy (certificate pinning, mTLS), as
   * allowlist entries, comma-separated: they connect opaquely, so only the allowlist applies.
   */
  TETHER_EGRESS_OPAQUE: z.string().optional().transform((v, ctx) => {
    const entries = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => allowlistEntrySchema.safeParse(s));
    const bad = entries.find((e) => !e.success);
    if (bad) {
      ctx.addIssue({ code: 'custom', message: 'expected comma-separated host names such as pinned.example.com or *.example.com' });
      return z.NEVER;
    }
    return entries.map((e) => e.data!);
  }),
  /** A PEM file of extra roots the egress proxy trusts for upstreams (an internal mirror's CA; tests), besides Node's. */
  TETHER_EGRESS_UPSTREAM_CA: z.string().optional().refine((v) => !v || path.isAbsolute(v), 'expected an absolute path to a PEM file'),
});

export type Config = z.infer<typeof configSchema> & {
  dataDir: string; dev: boolean; sandboxLimits: SandboxLimits;
  /** The pods' settings when TETHER_WORKSPACE_PROVIDER=kubernetes; null otherwise. */
  kubernetes: KubernetesSettings | null;
  /** TETHER_MODEL_CONTEXT_<n>: context windows by route id. */
  modelContextWindows: ReadonlyMap<string, number>;
};

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const limits = limitsFromEnv(env);
  if (!limits.ok) throw new ConfigError(`Invalid configuration:\n  ${limits.error}`);
  const windows = contextSettingsFromEnv(env);
  if (!windows.ok) throw new ConfigError(`Invalid configuration:\n  ${windows.error}`);
  if (c.TETHER_WORKSPACE_PROVIDER === 'kubernetes' && !c.TETHER_K8S_IMAGE) {
    throw new ConfigError('Invalid configuration:\n  TETHER_K8S_IMAGE: required when TETHER_WORKSPACE_PROVIDER=kubernetes (the image workspace pods run)');
  }
  const kubernetes = c.TETHER_WORKSPACE_PROVIDER === 'kubernetes' && c.TETHER_K8S_IMAGE
    ? {
      ...DEFAULT_KUBERNETES_SETTINGS, namespace: c.TETHER_K8S_NAMESPACE, image: c.TETHER_K8S_IMAGE, storageClass: c.TETHER_K8S_STORAGE_CLASS ?? null,
      cpu: c.TETHER_K8S_CPU ?? DEFAULT_KUBERNETES_SETTINGS.cpu, memory: c.TETHER_K8S_MEMORY ?? DEFAULT_KUBERNETES_SETTINGS.memory,
      disk: c.TETHER_K8S_DISK ?? DEFAULT_KUBERNETES_SETTINGS.disk, snapshotDisk: c.TETHER_K8S_SNAPSHOT_DISK ?? DEFAULT_KUBERNETES_SETTINGS.snapshotDisk,
    }
    : null;
  return {
    ...c, dataDir: path.resolve(c.TETHER_DATA_DIR), dev: c.NODE_ENV === 'development', sandboxLimits: limits.limits, modelContextWindows: windows.settings, kubernetes,
  };
}

let current: Config | undefined;
/** The process-wide configuration; parsed on first use. */
export function config(): Config {
  current ??= parseConfig();
  return current;
}
