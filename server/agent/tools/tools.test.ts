import { symlinkSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDirWorkspace, type DirWorkspace } from '../../../test/support/agent-workspace.ts';
import { builtinTools, toolRegistry, toolSpecs } from './registry.ts';
import { capOutput, invokeTool, type ToolResult } from './tool.ts';

let ws: DirWorkspace;
afterEach(() => ws?.cleanup());

const tools = toolRegistry();
function call(name: string, input: unknown): Promise<ToolResult> {
  return invokeTool(tools.get(name)!, input, { workspace: ws, signal: new AbortController().signal, sessionId: 's', callId: 'c' });
}
const out = (r: ToolResult) => (r.ok ? r.output : `ERROR: ${r.error}`);

describe('tool schemas', () => {
  it('are what the model sees', () => {
    expect(toolSpecs(tools)).toMatchSnapshot();
    expect(builtinTools.map((t) => `${t.name}:${t.effect}`)).toEqual([
      'read_file:read', 'list_dir:read', 'search:read', 'write_file:write', 'edit_file:write', 'run_command:exec', 'git:vcs', 'run_tests:exec', 'release_check:read',
    ]);
  });
});

describe('argument validation', () => {
  it('turns a ZodError into a message naming the bad field', async () => {
    ws = createDirWorkspace();
    const r = await call('read_file', { path: 3 });
    expect(r.ok).toBe(false);
    expect(out(r)).toContain('invalid arguments');
    expect(out(r)).toContain('- path:');
    expect(out(await call('git', { action: 'commit' }))).toContain('message: commit needs a message');
  });
});

describe('read_file', () => {
  it('numbers lines and reads ranges', async () => {
    ws = createDirWorkspace({ 'a.txt': 'one\ntwo\nthree\n' });
    expect(out(await call('read_file', { path: 'a.txt' }))).toBe('1\tone\n2\ttwo\n3\tthree');
    expect(out(await call('read_file', { path: '/workspace/a.txt', startLine: 2, endLine: 2 }))).toBe('2\ttwo\n(lines 2–2 of 3; read from line 3 for more)');
  });

  it('refuses paths outside the workspace, symlinks included', async () => {
    ws = createDirWorkspace({ 'a.txt': 'x' });
    expect(out(await call('read_file', { path: '../etc/passwd' }))).toMatch(/outside the workspace/);
    expect(out(await call('read_file', { path: '/etc/passwd' }))).toMatch(/outside the workspace/);
    symlinkSync('/etc', path.join(ws.root, 'link'));
    expect(out(await call('read_file', { path: 'link/passwd' }))).toMatch(/outside the workspace/);
    expect(out(await call('write_file', { path: 'link/evil', content: 'x' }))).toMatch(/outside the workspace/);
  });
});

describe('edit_file', () => {
  it('replaces a unique match and returns a unified diff', async () => {
    ws = createDirWorkspace({ 'src/m.ts': 'export function add(a, b) {\n  return a - b;\n}\n' });
    const r = await call('edit_file', { path: 'src/m.ts', oldString: 'return a - b;', newString: 'return a + b;' });
    expect(r.ok).toBe(true);
    expect(out(r)).toContain('-  return a - b;\n+  return a + b;');
    expect(out(r)).toContain('@@ -1,3 +1,3 @@'); // three lines: the final newline ends a line, it does not start one
    expect(readFileSync(path.join(ws.root, 'src/m.ts'), 'utf8')).toContain('return a + b;');
  });

  it('refuses missing and non-unique search text, and leaves the file alone', async () => {
    ws = createDirWorkspace({ 'f.txt': 'x = 1\nx = 1\n' });
    expect(out(await call('edit_file', { path: 'f.txt', oldString: 'y = 2', newString: 'y = 3' }))).toMatch(/not found/);
    expect(out(await call('edit_file', { path: 'f.txt', oldString: 'x = 1', newString: 'x = 2' }))).toMatch(/occurs 2 times/);
    expect(readFileSync(path.join(ws.root, 'f.txt'), 'utf8')).toBe('x = 1\nx = 1\n');
    expect((await call('edit_file', { path: 'f.txt', oldString: 'x = 1', newString: 'x = $&', replaceAll: true })).ok).toBe(true);
    expect(readFileSync(path.join(ws.root, 'f.txt'), 'utf8')).toBe('x = $&\nx = $&\n');
  });
});

describe('list_dir, search, write_file', () => {
  it('lists, writes and finds', async () => {
    ws = createDirWorkspace({ 'src/a.ts': 'const needle = 1;\n', 'README.md': 'hello\n' });
    expect(out(await call('write_file', { path: 'src/deep/b.ts', content: 'let Needle = 2;\n' }))).toBe('Created src/deep/b.ts (2 lines).');
    expect(out(await call('list_dir', { path: '.', depth: 3 }))).toBe('src/\n  deep/\n    b.ts\n  a.ts\nREADME.md');
    expect(out(await call('search', { pattern: 'needle' }))).toBe('src/a.ts:1:const needle = 1;');
    expect(out(await call('search', { pattern: 'needle', caseSensitive: false, glob: '*.ts' })).split('\n').sort()).toEqual(['src/a.ts:1:const needle = 1;', 'src/deep/b.ts:1:let Needle = 2;']);
  });

  it('falls back to a JS search without ripgrep, with the same results and a cap', async () => {
    ws = createDirWorkspace({ 'a.txt': Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') });
    const noRg: typeof ws = { ...ws, exec: async (cmd, o) => (Array.isArray(cmd) && cmd[0] === 'rg' ? { exitCode: 127, signal: null, stdout: '', stderr: 'rg: not found', timedOut: false, truncated: false, durationMs: 0 } : ws.exec(cmd, o)) };
    const r = await invokeTool(tools.get('search')!, { pattern: 'line 1\\d?$', maxResults: 3 }, { workspace: noRg, signal: new AbortController().signal, sessionId: 's', callId: 'c' });
    expect(r.ok && r.detail?.engine).toBe('js');
    expect(out(r)).toBe('a.txt:2:line 1\na.txt:11:line 10\na.txt:12:line 11\n(showing the first 3 matches; narrow the pattern, path or glob for the rest)');
  });
});

describe('run_command, git, run_tests', () => {
  it('runs commands with exit code and capped output', async () => {
    ws = createDirWorkspace();
    expect(out(await call('run_command', { command: 'echo hi; echo err >&2; exit 3' }))).toBe('exit code 3\n--- stdout ---\nhi\n--- stderr ---\nerr');
    const timedOut = await call('run_command', { command: 'sleep 5', timeoutSeconds: 1 });
    expect(timedOut.ok).toBe(false);
    expect(out(timedOut)).toMatch(/Timed out after 1 s/);
  });

  it('git: commits and flags high-risk actions', async () => {
    ws = createDirWorkspace({ 'a.txt': 'a\n' });
    await ws.exec('git init -q -b main && git config user.email t@t && git config user.name t');
    expect((await call('git', { action: 'add', paths: ['a.txt'] })).ok).toBe(true);
    expect(out(await call('git', { action: 'commit', message: 'first' }))).toContain('first');
    expect(out(await call('git', { action: 'log' }))).toMatch(/t: first/);
    const g = tools.get('git')!;
    expect(g.highRisk?.({ action: 'push', force: true })).toMatch(/force-push/);
    expect(g.highRisk?.({ action: 'status' })).toBeNull();
    expect(out(await call('git', { action: 'checkout', ref: '--orphan' }))).toMatch(/is not a ref/);
  });

  it('run_tests finds the package.json test script and reports the verdict', async () => {
    ws = createDirWorkspace({ 'package.json': JSON.stringify({ scripts: { test: 'node check.js' } }), 'check.js': 'console.log("1 failed"); process.exit(1)' });
    const r = await call('run_tests', {});
    expect(out(r)).toMatch(/^FAILED: npm test/);
    expect(out(r)).toContain('1 failed');
  });
});

it('capOutput keeps head and tail', () => {
  const c = capOutput('a'.repeat(100) + 'b'.repeat(100), 50);
  expect(c.truncated).toBe(true);
  expect(c.text.startsWith('a'.repeat(30))).toBe(true);
  expect(c.text.endsWith('b'.repeat(20))).toBe(true);
});
