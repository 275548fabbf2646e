// Every tool call's risk, with its reason in words and the parts rules are matched against.
// Reads are low, writes inside the workspace and ordinary commands medium, destructive or
// far-reaching calls high. A call this module cannot read is high, never low.
import type { Risk } from '../policy.ts';
import { editFile } from '../tools/edit-file.ts';
import { git, gitArgv } from '../tools/git.ts';
import { listDir } from '../tools/list-dir.ts';
import { readFile } from '../tools/read-file.ts';
import { releaseCheck } from '../tools/release-check.ts';
import { runCommand } from '../tools/run-command.ts';
import { runTests } from '../tools/run-tests.ts';
import { search } from '../tools/search.ts';
import { writeFile } from '../tools/write-file.ts';
import { isLockfile, LOCKFILE_INTEGRITY, resolveInWorkspace, sensitiveWrite } from './paths.ts';
import { gitRisk } from './git-risk.ts';
import { high, low, medium, worst, type Finding } from './risk.ts';
import { judgeScript, type JudgedCommand } from './shell-risk.ts';

export interface Classification {
  risk: Risk;
  reason: string;
  /**
   * What rules match against, one subject per part: each simple command of a shell line
   * (its words after wrappers), or the single argument string of another tool (a path, a git
   * argv). Every part must be allowed for the call to be allowed.
   */
  parts: { subject: string; argv: string[]; risk: Risk; reason: string; cwd?: string; writes?: (string | null)[] }[];
  // argv is the subject as words: a shell command after wrappers with its program resolved
  // (timeout 5 /bin/rm x → rm x), git's arguments after "git"; so argv.join(' ') is what a rule
  // pattern is matched against, and a rule made from it matches the same call again.
  /** The input did not parse as the tool's arguments. */
  invalid: boolean;
}

const finding = (f: Finding, subject: string, argv: string[] = [subject]): Classification =>
  ({ risk: f.risk, reason: f.reason, parts: [{ subject, argv, risk: f.risk, reason: f.reason }], invalid: false });

export async function classifyCall(tool: string, input: unknown): Promise<Classification> {
  switch (tool) {
    case readFile.name: case listDir.name: case search.name: {
      const parsed = (tool === search.name ? search.input : tool === readFile.name ? readFile.input : listDir.input).safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      const p = (parsed.data as { path?: string }).path ?? '.';
      if (resolveInWorkspace(p) === null) return finding(high(`${tool} names ${p}, outside the workspace`), p);
      return finding(low(`${tool} only reads`), normalised(p));
    }
    case writeFile.name: {
      const parsed = writeFile.input.safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      return finding(pathWrite(parsed.data.path, 'writes'), normalised(parsed.data.path));
    }
    case editFile.name: {
      const parsed = editFile.input.safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      const { path, oldString, newString } = parsed.data;
      const rel = resolveInWorkspace(path);
      if (rel !== null && isLockfile(rel) && !LOCKFILE_INTEGRITY.test(oldString) && !LOCKFILE_INTEGRITY.test(newString)) {
        return finding(medium(`edits ${rel} without touching integrity hashes or resolved URLs`), rel);
      }
      return finding(pathWrite(path, 'edits'), normalised(path));
    }
    case runCommand.name: {
      const parsed = runCommand.input.safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      const cwd = parsed.data.cwd ?? '.';
      const j = await judgeScript(parsed.data.command, cwd);
      const parts = j.commands.map(partOf);
      const cwdRisk = sensitiveWrite(`${cwd}/x`);
      if (cwdRisk) return { risk: 'high', reason: `runs in ${cwd}, where writes are far-reaching (${cwdRisk.reason})`, parts, invalid: false };
      if (!parts.length) return { risk: j.risk, reason: j.reason, parts: [{ subject: parsed.data.command, argv: [], risk: j.risk, reason: j.reason }], invalid: false };
      return { risk: j.risk, reason: j.reason, parts, invalid: false };
    }
    case git.name: {
      const parsed = git.input.safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      let argv: string[];
      try { argv = gitArgv(parsed.data); } catch (err) { return invalid(tool, err instanceof Error ? err.message : String(err)); }
      // The tool's own verdict (push, reset, rebase) and the argv judged as on the command line
      // (checkout . discards changes), whichever is higher.
      const own = git.highRisk?.(parsed.data);
      const f = worst([...(own ? [high(own)] : []), gitRisk(argv)], low(`git ${parsed.data.action}`));
      return finding(f, argv.join(' '), argv);
    }
    case runTests.name: {
      const parsed = runTests.input.safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      // The filter is passed quoted as one argument, so it cannot add commands; the test
      // command itself is the project's own (package.json, Makefile …), like `npm test`.
      return finding(medium('runs the project\'s own test command'), parsed.data.filter ?? '');
    }
    case releaseCheck.name: {
      const parsed = releaseCheck.input.safeParse(input);
      if (!parsed.success) return invalid(tool, parsed.error.message);
      return finding(low('release_check only reads what a release would ship (npm pack --dry-run without lifecycle scripts)'), parsed.data.dir ?? '.');
    }
  }
  return finding(high(`${tool} is not a tool the policy knows, so its effect cannot be judged`), '');
}

function partOf(c: JudgedCommand) {
  const words = c.effective.length ? c.effective : c.argv;
  return { subject: words.join(' '), argv: words, risk: c.risk, reason: c.reason, cwd: c.cwd, writes: c.writes };
}

function normalised(p: string): string {
  return resolveInWorkspace(p) ?? p;
}

function pathWrite(p: string, verb: string): Finding {
  const s = sensitiveWrite(p);
  if (s) return high(`${verb} ${p}, ${s.reason}`);
  return medium(`${verb} ${normalised(p)} inside the workspace`);
}

function invalid(tool: string, message: string): Classification {
  const reason = `the arguments do not match the ${tool} tool (${message.slice(0, 200)})`;
  return { risk: 'high', reason, parts: [{ subject: '', argv: [], risk: 'high', reason }], invalid: true };
}
