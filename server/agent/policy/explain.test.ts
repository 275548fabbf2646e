// policy:explain as operators run it: through npm, one JSON object on stdout, non-zero on bad usage.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const explain = (...args: string[]) => run('npm', ['run', '--silent', 'policy:explain', '--', ...args], { cwd: process.cwd(), timeout: 120_000 });

describe('npm run policy:explain', () => {
  it('prints exactly one JSON object for a shell command under the default rules', async () => {
    const { stdout, stderr } = await explain(`r''m -rf src && echo ok`);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout);
    expect(Object.keys(out).sort()).toEqual(['decision', 'reason', 'risk', 'rule']);
    expect(out).toMatchObject({ risk: 'high', decision: 'ask', rule: null });
    expect(out.reason).toContain('rm -r deletes directories recursively');
  }, 150_000);

  it('explains other tools with --tool and --arg, and applies --rule', async () => {
    const [write, git, ruled] = await Promise.all([
      explain('--tool', 'write_file', '--arg', 'path=.bashrc', '--arg', 'content=alias ls=rm'),
      explain('--tool', 'git', '--arg', 'action=status'),
      explain('--rule', 'deny run_command(npm publish*)', 'npm publish --access public'),
    ]);
    expect(JSON.parse(write.stdout)).toMatchObject({ risk: 'high', decision: 'ask' });
    expect(JSON.parse(git.stdout)).toEqual({ risk: 'low', decision: 'allow', reason: 'low risk: git status only reads', rule: null });
    expect(JSON.parse(ruled.stdout)).toMatchObject({ risk: 'high', decision: 'deny', rule: 'cli-1' });
  }, 150_000);

  it('with --profile, reports which layer decided: profile scope, profile rule, team rule or classifier', async () => {
    const [scope, profileRule, teamRule, classifier] = await Promise.all([
      explain('--profile', 'ask', 'rm -rf src'),
      explain('--profile', 'review', '--tool', 'git', '--arg', 'action=push'),
      explain('--profile', 'build', '--rule', 'deny run_command(curl *)', 'curl https://example.com'),
      explain('--profile', 'plan', '--tool', 'write_file', '--arg', 'path=.tether/plans/p.md', '--arg', 'content=x'),
    ]);
    expect(JSON.parse(scope.stdout)).toMatchObject({ decision: 'deny', profile: 'ask', layer: 'profile scope', reason: "outside the ask task's scope: `rm -rf src` is not one of the commands it may run" });
    expect(JSON.parse(profileRule.stdout)).toMatchObject({ decision: 'deny', profile: 'review', layer: 'profile rule', rule: 'profile:review#1' });
    expect(JSON.parse(teamRule.stdout)).toMatchObject({ decision: 'deny', profile: 'build', layer: 'team rule', rule: 'cli-1' });
    expect(JSON.parse(classifier.stdout)).toMatchObject({ decision: 'allow', profile: 'plan', layer: 'classifier', rule: null });
  }, 150_000);

  it.each([
    [['--profile', 'nope', 'ls'], /not a built-in profile/],
    [[], /no command given/],
    [['ls', 'src'], /expected one shell command/],
    [['--tool', 'nope', 'ls'], /not a tool/],
    [['--tool', 'write_file', '--arg', 'path=a.txt'], /content/],
    [['--rule', 'permit everything', 'ls'], /is not a rule/],
  ])('exits non-zero with a message on bad usage: %j', async (args, message) => {
    const err = await explain(...(args as string[])).then(() => null, (e: { code: number; stdout: string; stderr: string }) => e);
    expect(err).not.toBeNull();
    expect(err!.code).toBe(2);
    expect(err!.stdout).toBe('');
    expect(err!.stderr).toMatch(message);
    expect(err!.stderr).toContain('usage: npm run --silent policy:explain');
  }, 150_000);
});
