// The release guard: the project's own artifact scanner (scripts/lib/artifacts.mjs, the one
// `npm run check:artifacts` uses) run inside the workspace's sandbox as its uid, so no workspace
// file is read as root. The module imports only Node built-ins, so it is handed to the sandbox's
// node as a data: URL rather than made visible on a path.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ExecOptions, ExecResult } from '../workspace/provider.ts';

const SCANNER_URL = `data:text/javascript;base64,${readFileSync(new URL('../../scripts/lib/artifacts.mjs', import.meta.url)).toString('base64')}`;

const PROGRAM = `
const scanner = await import(${JSON.stringify(SCANNER_URL)});
let answer;
try { answer = { ok: true, report: scanner.releaseCheck({ root: process.cwd(), ...JSON.parse(process.argv[1]) }) }; }
catch (err) { answer = { ok: false, error: String(err && err.stderr ? err.stderr : err && err.message ? err.message : err).slice(0, 2000) }; }
process.stdout.write(JSON.stringify(answer));
`;

/** npm pack of a large tree is slow on a busy machine. */
export const RELEASE_CHECK_TIMEOUT_MS = 120_000;
/** An event keeps this many problems; the count says how many there were. */
export const MAX_RECORDED_PROBLEMS = 200;

const problemSchema = z.object({ path: z.string(), problem: z.string() });
export const releaseReportSchema = z.object({
  source: z.string(), fileCount: z.number().int(), allowlistFrom: z.string().nullable(), problems: z.array(problemSchema),
});
export type ReleaseReport = z.infer<typeof releaseReportSchema>;
const answerSchema = z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), report: releaseReportSchema }), z.object({ ok: z.literal(false), error: z.string() })]);

export class ReleaseCheckError extends Error {}

/** Workspace-relative folder; null: what `npm pack --dry-run` would publish. */
export const releaseDirSchema = z.string().min(1).max(500)
  .refine((d) => !d.startsWith('/') && !d.split('/').includes('..') && !d.includes('\0'), 'Name a folder inside the workspace, such as dist')
  .nullable().default(null);

export async function runReleaseCheck(
  ws: { exec(command: string[], options?: ExecOptions): Promise<ExecResult> },
  o: { dir: string | null; internalHosts: string[]; signal?: AbortSignal },
): Promise<ReleaseReport> {
  const r = await ws.exec(['node', '--input-type=module', '-e', PROGRAM, JSON.stringify({ dir: o.dir, internalHosts: o.internalHosts })], {
    timeoutMs: RELEASE_CHECK_TIMEOUT_MS, maxOutputBytes: 8 * 1024 * 1024, signal: o.signal,
  });
  if (r.timedOut) throw new ReleaseCheckError(`The release check timed out after ${RELEASE_CHECK_TIMEOUT_MS / 1000} s.`);
  let answer: z.infer<typeof answerSchema>;
  try {
    answer = answerSchema.parse(JSON.parse(r.stdout));
  } catch {
    throw new ReleaseCheckError(`The release check did not answer (exit code ${r.exitCode ?? r.signal}): ${(r.stderr || r.stdout).slice(0, 500)}`);
  }
  if (!answer.ok) throw new ReleaseCheckError(`The release check failed: ${answer.error}`);
  return answer.report;
}

/** The report in words, for the model and for people. */
export function describeReport(r: ReleaseReport): string {
  const head = `${r.source}: ${r.fileCount} file(s); allowlist: ${r.allowlistFrom ?? 'none'}.`;
  if (!r.problems.length) return `${head}\nNo problems found: no source maps, keys, token-shaped secrets, internal host names or files outside the allowlist.`;
  const lines = r.problems.slice(0, MAX_RECORDED_PROBLEMS).map((p) => `- ${p.path}: ${p.problem}`);
  const more = r.problems.length > MAX_RECORDED_PROBLEMS ? `\n… and ${r.problems.length - MAX_RECORDED_PROBLEMS} more` : '';
  return `${head}\n${r.problems.length} problem(s) — do not publish until they are fixed:\n${lines.join('\n')}${more}`;
}
