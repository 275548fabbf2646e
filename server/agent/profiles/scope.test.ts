// The profile scope on its own: path globs with ! negation, commands, and what the shell parse
// finds in run_command (redirects, writers' operands, cd), for the built-in profiles.
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES } from './builtins.ts';
import { outOfScope, pathInGlobs, profileAllowsHost } from './scope.ts';

const spec = (name: string) => BUILTIN_PROFILES.find((p) => p.name === name)!.spec;
const cmd = (command: string) => ({ command });

describe('profile scope', () => {
  it('matches path globs, with ! excluding', () => {
    expect(pathInGlobs('src/a.ts', ['**', '!infra/**'])).toBe(true);
    expect(pathInGlobs('infra', ['**', '!infra/**'])).toBe(false);
    expect(pathInGlobs('infra/x/main.tf', ['**', '!infra/**'])).toBe(false);
    expect(pathInGlobs('src/a.ts', [])).toBe(false);
  });

  it('lets plan write only under .tether/plans/', async () => {
    expect(await outOfScope(spec('plan'), 'write_file', { path: '.tether/plans/p.md', content: 'x' })).toBeNull();
    expect(await outOfScope(spec('plan'), 'write_file', { path: 'src/a.ts', content: 'x' })).toBe('writes src/a.ts: src/a.ts is not in its write paths (.tether/plans/**)');
    expect(await outOfScope(spec('plan'), 'run_command', cmd('ls src > notes.md'))).toMatch(/^writes notes.md/);
  });

  it('lets ask run only its read-only commands, looking inside pipelines and $(…)', async () => {
    expect(await outOfScope(spec('ask'), 'run_command', cmd('git log --oneline | head -5'))).toBeNull();
    expect(await outOfScope(spec('ask'), 'run_command', cmd('ls $(rm -rf src)'))).toMatch(/`rm -rf src` is not one of the commands/);
    expect(await outOfScope(spec('ask'), 'run_command', cmd('git push'))).toMatch(/`git push` is not one of the commands/);
  });

  it('keeps review from writing any file, through tools or commands', async () => {
    expect(await outOfScope(spec('review'), 'edit_file', { path: 'a.ts', oldString: 'a', newString: 'b' })).toMatch(/^the edit_file tool is not one of its tools/);
    expect(await outOfScope(spec('review'), 'run_command', cmd('npm test > out.txt'))).toMatch(/^writes out.txt/);
    expect(await outOfScope(spec('review'), 'run_command', cmd('touch a'))).toMatch(/^writes a/);
    expect(await outOfScope(spec('review'), 'run_command', cmd('cat src/a.ts'))).toBeNull();
  });

  it('leaves build as it was before profiles: outside the workspace stays the classifier\'s to judge', async () => {
    expect(await outOfScope(spec('build'), 'run_command', cmd('cat /etc/hosts > copy && rm -rf /tmp/x'))).toBeNull();
    const noInfra = { ...spec('build'), paths: { read: ['**'], write: ['**', '!infra/**'] } };
    expect(await outOfScope(noInfra, 'run_command', cmd('cat /etc/hosts'))).toBeNull();
    expect(await outOfScope(noInfra, 'run_command', cmd('echo x > /etc/hosts'))).toMatch(/\/etc\/hosts is outside the workspace/);
  });

  it('reaches only the hosts a profile names (none for ask, whatever the workspace allows for build)', () => {
    const withHosts = { name: 'x', spec: { ...spec('build'), network: { hosts: ['registry.npmjs.org', '*.example.com'] } } };
    expect(profileAllowsHost({ name: 'ask', spec: spec('ask') }, 'registry.npmjs.org')).toBe(false);
    expect(profileAllowsHost({ name: 'build', spec: spec('build') }, 'registry.npmjs.org')).toBe(true);
    expect(profileAllowsHost(withHosts, 'Registry.npmjs.org.')).toBe(true);
    expect(profileAllowsHost(withHosts, 'api.example.com')).toBe(true);
    expect(profileAllowsHost(withHosts, 'example.com.evil.net')).toBe(false);
  });
});
