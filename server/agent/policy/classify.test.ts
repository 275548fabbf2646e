// The classifier against the command table beside it (obfuscations included), and the
// per-tool rules for files, git and tests — on the real tree-sitter-bash parser.
import { describe, expect, it } from 'vitest';
import { classifyCall } from './classify.ts';
import { COMMAND_TABLE } from './command-table.ts';

describe('run_command risk table', () => {
  it('has at least 150 commands', () => {
    expect(COMMAND_TABLE.length).toBeGreaterThanOrEqual(150);
    expect(new Set(COMMAND_TABLE.map(([c]) => c)).size).toBe(COMMAND_TABLE.length);
  });

  it.each(COMMAND_TABLE.map(([command, risk]) => ({ command, risk })))('$risk: $command', async ({ command, risk }) => {
    const c = await classifyCall('run_command', { command });
    expect({ risk: c.risk, reason: c.reason }).toMatchObject({ risk });
    expect(c.reason.length).toBeGreaterThan(5);
  });
});

describe('file tools', () => {
  const write = (path: string) => classifyCall('write_file', { path, content: 'x' });
  const edit = (path: string, oldString: string, newString: string) => classifyCall('edit_file', { path, oldString, newString });

  it.each([
    ['src/index.ts', 'medium'], ['/workspace/src/a.ts', 'medium'], ['docs/.gitkeep', 'medium'], ['.gitignore', 'medium'],
    ['.github/workflows/deploy.yml', 'high'], ['./.github/dependabot.yml', 'high'], ['.gitlab-ci.yml', 'high'], ['.circleci/config.yml', 'high'],
    ['.git/hooks/pre-commit', 'high'], ['.git/config', 'high'], ['.husky/pre-push', 'high'], ['.bashrc', 'high'], ['.profile', 'high'],
    ['.npmrc', 'high'], ['.ssh/authorized_keys', 'high'], ['.vscode/tasks.json', 'high'], ['package-lock.json', 'high'], ['web/yarn.lock', 'high'],
    ['../outside.txt', 'high'], ['/etc/passwd', 'high'], ['src/../../x', 'high'],
  ] as const)('write_file %s is %s', async (path, risk) => {
    expect((await write(path)).risk).toBe(risk);
  });

  it('edit_file of a lockfile is high only when it touches integrity hashes or resolved URLs', async () => {
    expect((await edit('package-lock.json', '"version": "1.0.0"', '"version": "1.0.1"')).risk).toBe('medium');
    expect((await edit('package-lock.json', '"integrity": "sha512-abc"', '"integrity": "sha512-evil"')).risk).toBe('high');
    expect((await edit('package-lock.json', 'x', '"resolved": "https://evil.example/x.tgz"')).risk).toBe('high');
    expect((await edit('.github/workflows/ci.yml', 'a', 'b')).risk).toBe('high');
    expect((await edit('src/a.ts', 'a', 'b')).risk).toBe('medium');
  });

  it('reads are low inside the workspace and high outside it', async () => {
    expect((await classifyCall('read_file', { path: '.github/workflows/ci.yml' })).risk).toBe('low');
    expect((await classifyCall('list_dir', {})).risk).toBe('low');
    expect((await classifyCall('search', { pattern: 'x', path: 'src' })).risk).toBe('low');
    expect((await classifyCall('read_file', { path: '/etc/shadow' })).risk).toBe('high');
  });
});

describe('git and run_tests tools', () => {
  it.each([
    [{ action: 'status' }, 'low'], [{ action: 'log' }, 'low'], [{ action: 'diff', staged: true }, 'low'], [{ action: 'branch' }, 'low'],
    [{ action: 'add', paths: ['src'] }, 'medium'], [{ action: 'commit', message: 'x' }, 'medium'], [{ action: 'checkout', ref: 'main' }, 'medium'],
    [{ action: 'checkout', ref: '.' }, 'high'], [{ action: 'branch', name: 'feature' }, 'medium'],
    [{ action: 'push' }, 'high'], [{ action: 'push', force: true }, 'high'], [{ action: 'reset', mode: 'hard' }, 'high'], [{ action: 'rebase', ref: 'main' }, 'high'],
  ] as const)('git %j is %s', async (input, risk) => {
    const c = await classifyCall('git', input);
    expect(c.risk).toBe(risk);
    expect(c.parts[0]!.argv[0]).toBe(input.action);
  });

  it('git push --force says so, and its argv is what rules match', async () => {
    const c = await classifyCall('git', { action: 'push', force: true, remote: 'origin', ref: 'main' });
    expect(c.reason).toMatch(/force-push/);
    expect(c.parts[0]!.subject).toBe('push --force origin main');
  });

  it('run_tests is medium whatever the filter says: it is passed quoted', async () => {
    expect((await classifyCall('run_tests', {})).risk).toBe('medium');
    expect((await classifyCall('run_tests', { filter: "'; rm -rf / #" })).risk).toBe('medium');
  });

  it('run_command in a far-reaching directory is high', async () => {
    expect((await classifyCall('run_command', { command: 'echo x > ci.yml', cwd: '.github/workflows' })).risk).toBe('high');
    expect((await classifyCall('run_command', { command: 'ls', cwd: 'src' })).risk).toBe('low');
  });
});

describe('hostile input', () => {
  // Each of these once overflowed the stack or backtracked for minutes; they must come back,
  // and come back high where the line cannot be fully checked.
  it.each([
    ['deeply nested $(…)', 'echo ' + '$('.repeat(2000) + 'x' + ')'.repeat(2000), 'high'],
    ['deeply nested arithmetic', 'echo $((' + '('.repeat(5000) + 'x' + ')'.repeat(5000) + '))', 'high'],
    ['deeply nested groups', '{ '.repeat(3000) + 'ls' + '; }'.repeat(3000), 'high'],
    ['a sed script of backslashes', `sed 's/${'\\\\'.repeat(30)}' a.txt`, 'low'],
    ['a huge awk program', `awk '${'print '.repeat(5000)}' a.txt`, 'high'],
    ['a huge brace expression', `cp x ${'{a,b}'.repeat(20000)}{.github,y}/workflows/ci.yml`, 'high'],
    ['a brace expression with too many words', `cp x {a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}/{.github,y}/ci.yml`, 'high'],
    ['a huge SQL string', `psql -c '${'select 1; '.repeat(3000)}'`, 'high'],
  ] as const)('%s', async (_what, command, risk) => {
    expect((await classifyCall('run_command', { command })).risk).toBe(risk);
  }, 60_000);
});
