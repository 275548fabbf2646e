// Resource limits for every sandboxed process. The caller (server config) decides the values;
// `limitsFromEnv` lets operators override each one with a TETHER_SANDBOX_* variable.
import { z } from 'zod';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const sandboxLimitsSchema = z.object({
  /** prlimit --cpu: CPU seconds per process (each child starts its own count). */
  cpuSeconds: z.number().int().positive(),
  /** prlimit --as: virtual address space per process. Node reserves a lot up front: keep it generous. */
  addressSpaceBytes: z.number().int().positive(),
  /** prlimit --fsize: the largest file a process may write. */
  fileSizeBytes: z.number().int().positive(),
  /** prlimit --nofile. */
  openFiles: z.number().int().positive(),
  /** prlimit --nproc: counts every process of the workspace uid, which is why each workspace has its own. */
  processes: z.number().int().positive(),
  /** cgroup memory limit for the whole workspace, where the host has a memory controller. */
  memoryBytes: z.number().int().positive(),
  /** cgroup pids.max for the whole workspace, where the host has a pids controller. */
  pids: z.number().int().positive(),
});

export type SandboxLimits = z.infer<typeof sandboxLimitsSchema>;

export const DEFAULT_LIMITS: SandboxLimits = {
  cpuSeconds: 3600,
  addressSpaceBytes: 8 * GiB,
  fileSizeBytes: 1 * GiB,
  openFiles: 4096,
  processes: 256,
  memoryBytes: 2 * GiB,
  pids: 512,
};

const ENV_NAMES: Record<keyof SandboxLimits, string> = {
  cpuSeconds: 'TETHER_SANDBOX_CPU_SECONDS',
  addressSpaceBytes: 'TETHER_SANDBOX_ADDRESS_SPACE_BYTES',
  fileSizeBytes: 'TETHER_SANDBOX_FILE_SIZE_BYTES',
  openFiles: 'TETHER_SANDBOX_OPEN_FILES',
  processes: 'TETHER_SANDBOX_PROCESSES',
  memoryBytes: 'TETHER_SANDBOX_MEMORY_BYTES',
  pids: 'TETHER_SANDBOX_PIDS',
};

export type LimitsResult = { ok: true; limits: SandboxLimits } | { ok: false; error: string };

/** DEFAULT_LIMITS with any TETHER_SANDBOX_* override applied; a malformed value is an error, never ignored. */
export function limitsFromEnv(env: Record<string, string | undefined>, base: SandboxLimits = DEFAULT_LIMITS): LimitsResult {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') merged[key] = Number(raw);
  }
  const parsed = sandboxLimitsSchema.safeParse(merged);
  if (parsed.success) return { ok: true, limits: parsed.data };
  const issues = parsed.error.issues.map((i) => `${ENV_NAMES[i.path[0] as keyof SandboxLimits]}: ${i.message}`);
  return { ok: false, error: `Invalid sandbox limits: ${issues.join('; ')}` };
}
