// The parser against bash itself: each line runs in a real bash whose PATH holds only stub
// programs that log the argv they receive, and the simple commands the parser found (quotes
// removed, escapes decoded) must be exactly what bash ran. This is what makes obfuscations
// such as r''m or $'\x72m' safe to classify by name.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShell } from './shell-parse.ts';

const run = promisify(execFile);
const STUBS = ['rm', 'git', 'curl', 'npm', 'touch', 'ls', 'cat'];

/**
 * Lines using only the stubs (no absolute paths, no globs or braces: bash would expand those),
 * and where every command does run (stubs succeed), so what may run is what ran.
 */
const LINES = [
  `r''m -rf src`,
  `r""m -rf src`,
  `\\rm -rf src`,
  `"rm" -rf src`,
  `'rm' -rf src`,
  `$'\\x72m' -rf src`,
  `$'\\162m' -rf 's r c'`,
  `$'\\u0072m' x`,
  `r\\m -r\\f src`,
  `git push "--for"'ce' origin ma\\in`,
  `FOO=1 BAR="a b" rm -rf src`,
  `ls; rm -rf src && git push && curl -s http://example.invalid`,
  `false || rm -rf k2`,
  `ls | cat | rm -f a`,
  `(rm -rf a); { git status; }`,
  `echo "$(rm -rf b)" \`touch c\``,
  `if true; then rm -rf d; fi; for x in 1; do git log; done`,
  `rm -rf e > out.txt 2>&1`,
  `cat <<EOF\nhello\nEOF\nrm f`,
  `cat <<< "here string"; rm g`,
  `f() { rm -rf h; }; f`,
  `rm "a"'b'c\\ d`,
  `git commit -m 'it'"'"'s done'`,
  `npm test -- --grep "a b"`,
  `rm -- -rf`,
  `ls #; rm -rf i`,
  `rm -rf j \\\n  k`,
];

let dir: string;
let stubDir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tether-parse-'));
  stubDir = path.join(dir, 'bin');
  await mkdir(stubDir);
  for (const s of STUBS) {
    // Logs its name and arguments NUL-separated into a file of its own (the stages of a pipeline
    // run at once, and their writes to one shared file could interleave); runs nothing.
    await writeFile(path.join(stubDir, s), `#!/bin/sh\nprintf '%s\\0' "\${0##*/}" "$@" > "$LOG.$$"\n`);
    await chmod(path.join(stubDir, s), 0o755);
  }
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function bashRan(line: string, i: number): Promise<string[][]> {
  const log = path.join(dir, `log${i}`);
  const work = path.join(dir, `w${i}`);
  await mkdir(work);
  // Only the stubs on PATH, nothing else of this process's environment.
  await run('/bin/bash', ['-c', line], { cwd: work, env: { PATH: stubDir, LOG: log, NODE_ENV: 'test' } }).catch(() => undefined);
  const records = (await readdir(dir)).filter((f) => f.startsWith(`log${i}.`));
  return Promise.all(records.map(async (f) => (await readFile(path.join(dir, f), 'utf8')).split('\0').slice(0, -1)));
}

describe('shell parser agrees with bash', () => {
  it.each(LINES.map((line, i) => ({ line, i })))('$line', async ({ line, i }) => {
    const parsed = await parseShell(line);
    expect(parsed.problems).toEqual([]);
    const stubbed = parsed.commands
      .map((c) => c.words.map((w) => w.value))
      .filter((argv) => STUBS.includes(argv[0] ?? ''));
    expect(stubbed.every((argv) => argv.every((a) => a !== null))).toBe(true);
    // Sorted: the stages of a pipeline run at the same time.
    const sorted = (xs: (string | null)[][]) => xs.map((x) => JSON.stringify(x)).sort();
    expect(sorted(stubbed)).toEqual(sorted(await bashRan(line, i)));
  });
});
