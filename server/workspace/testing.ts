// Helpers shared by this folder's integration tests (not used by the server).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DEFAULT_LIMITS, type SandboxLimits } from './limits.ts';
import { createLocalProvider, type LocalProvider } from './local-provider.ts';
import type { Workspace } from './provider.ts';

export const silentLog = pino({ level: 'silent' });

/** Small limits so abuse tests finish fast. */
export const TEST_LIMITS: SandboxLimits = { ...DEFAULT_LIMITS, fileSizeBytes: 16 * 1024 * 1024, processes: 64, pids: 96, memoryBytes: 512 * 1024 * 1024 };

/** A uid range per test file (and per run) so parallel files never share a workspace uid. */
export function uidBase(): number {
  return 40_000 + Math.floor(Math.random() * 2_000_000) * 10;
}

export async function tempProvider(limits: SandboxLimits = TEST_LIMITS, diskQuotaBytes?: number): Promise<{ provider: LocalProvider; dataDir: string; cleanup(): Promise<void> }> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tether-ws-test-'));
  await fs.chmod(base, 0o711);
  const dataDir = path.join(base, 'data');
  const provider = await createLocalProvider({ dataDir, unsafeNoSandbox: false, limits, diskQuotaBytes, log: silentLog });
  return {
    provider, dataDir,
    async cleanup() {
      // destroy, not just shutdown: it also unmounts each workspace's disk image. All at once: a
      // file of tests on both databases leaves ~30, one after another past a hook's timeout under load.
      await Promise.all((await provider.ids()).map((id) => provider.destroy(id)));
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

/** Runs a script the way a terminal does (a pty in the workspace host) and returns its output and exit code. */
export async function runInPty(ws: Workspace, script: string, timeoutMs = 15_000): Promise<{ output: string; exitCode: number | null }> {
  let output = '';
  let finish: (r: { output: string; exitCode: number | null }) => void = () => {};
  const done = new Promise<{ output: string; exitCode: number | null }>((resolve) => { finish = resolve; });
  const { pty } = await ws.openPty({ id: randomUUID(), cols: 200, rows: 50, command: ['/bin/bash', '-c', script] }, {
    onData: (c) => { output += c.data; },
    onExit: (e) => finish({ output, exitCode: e.exitCode }),
    onLost: () => finish({ output, exitCode: null }),
  });
  const timer = setTimeout(() => finish({ output, exitCode: null }), timeoutMs);
  const result = await done;
  clearTimeout(timer);
  pty.kill();
  return result;
}
