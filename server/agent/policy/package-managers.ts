// npm, pnpm, yarn and bun: publishing and global installs are high; exec/dlx and unknown
// subcommands (yarn <bin>) run a command that is judged in turn; scripts and installs are medium.
import { hasFlag, longOptionIs, only, operands, values, type Judge, type ProgramEffect } from './judge.ts';
import { high, low, medium } from './risk.ts';
import type { Word } from './shell-parse.ts';

const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun', 'cnpm']);

const PUBLISH_SUBCOMMANDS = new Set(['publish', 'unpublish', 'deprecate', 'dist-tag', 'owner', 'access', 'adduser', 'login', 'logout', 'token', 'team', 'org', 'star', 'unstar', 'hook', 'pack-publish']);

const READ_ONLY_PM = new Set(['ls', 'list', 'll', 'la', 'view', 'info', 'show', 'outdated', 'why', 'explain', 'help', 'root', 'bin', 'prefix', 'search', 'fund', 'doctor', 'ping', 'whoami', 'query', '--version', '-v', 'version', 'config']);

/** Subcommands of npm, pnpm, yarn and bun; anything else given to pnpm, yarn or bun runs a script or binary of that name. */
const PM_SUBCOMMANDS = new Set([
  'install', 'i', 'ci', 'add', 'remove', 'rm', 'uninstall', 'un', 'up', 'update', 'upgrade', 'upgrade-interactive', 'run', 'run-script', 'test', 't', 'tst', 'start',
  'stop', 'restart', 'exec', 'dlx', 'x', 'create', 'init', 'link', 'unlink', 'outdated', 'list', 'ls', 'll', 'la', 'why', 'explain', 'info', 'view', 'show', 'audit',
  'config', 'cache', 'store', 'import', 'pack', 'version', 'global', 'workspace', 'workspaces', 'set', 'prune', 'dedupe', 'patch', 'patch-commit', 'rebuild', 'rb',
  'bin', 'root', 'prefix', 'help', 'licenses', 'fund', 'doctor', 'ping', 'whoami', 'search', 'query', 'pkg', 'set-script', 'completion', 'node', 'env', 'fetch',
  'plugin', 'constraints', 'dedupe', 'build', 'pm', 'outdated', 'licenses', 'setup', ...PUBLISH_SUBCOMMANDS,
]);

const PM_INLINE = ['-e', '--eval', '-p', '--print'];

function packageManager(name: string, args: Word[]): ProgramEffect {
  const ops = operands(args);
  const sub = ops[0]?.value;
  const all = values(args);
  if (name === 'bun' && args.some((a) => a.value !== null && PM_INLINE.some((o) => a.value === o || longOptionIs(a.value!, o)))) return only(high('bun -e runs inline code, which the policy cannot check'));
  if (sub === undefined) return only(all.length ? low(`${name} ${all.join(' ')}`) : medium(`runs ${name}`));
  if (sub === null) return only(high(`${name} is given a subcommand computed at run time`));
  // Publishing anywhere on the line (npm --tag beta publish): options with values hide the subcommand.
  const publish = ops.find((o) => o.value !== null && PUBLISH_SUBCOMMANDS.has(o.value));
  if (publish) return only(high(`${name} ${publish.value} publishes or changes a package on the registry`));
  if (hasFlag(args, ['--global', '--location=global'], 'g') && ['install', 'i', 'add', 'uninstall', 'remove', 'rm', 'link', 'update'].includes(sub)) return only(high(`${name} ${sub} -g changes packages outside the workspace`));
  if (sub === 'exec' || sub === 'dlx' || sub === 'x') {
    const dash = args.findIndex((a) => a.value === '--');
    const rest = name === 'npm' ? (dash >= 0 ? args.slice(dash + 1) : ops.slice(1)) : args.slice(args.findIndex((a) => a.value === sub) + 1).filter((a) => a.value !== '--');
    return rest.length ? { findings: [], runs: [rest] } : only(medium(`${name} ${sub}`));
  }
  if (sub === 'set-script' || (sub === 'pkg' && ops[1]?.value === 'set' && ops.slice(2).some((o) => o.value === null || /^scripts/.test(o.value)))) {
    return only(high(`${name} ${sub} changes the scripts npm runs on install and test`));
  }
  if (sub === 'set' || (sub === 'config' && all.some((a) => a === 'set' || a === 'delete' || a === 'edit'))) {
    return only(high(`${name} ${sub} changes .npmrc, which every later install obeys`));
  }
  if (sub === 'audit' && !all.includes('fix')) return only(low(`${name} audit only reports`));
  if (sub === 'version' && ops.length > 1) return only(medium(`${name} version bumps the version, commits and tags`));
  if (READ_ONLY_PM.has(sub)) return only(low(`${name} ${sub} only reads`));
  if (sub === 'run' || sub === 'run-script') return only(medium(`runs the project's ${ops[1]?.value ?? ''} script`.replace('  ', ' ')));
  if (sub === 'test' || sub === 't' || sub === 'tst' || sub === 'start') return only(medium(`runs the project's ${sub === 'start' ? 'start' : 'test'} script`));
  if (name !== 'npm' && !PM_SUBCOMMANDS.has(sub)) return { findings: [medium(`${name} ${sub} runs the project's script or binary ${sub}`)], runs: [ops] };
  return only(medium(`${name} ${sub}`));
}

export const PACKAGE_MANAGER_JUDGES: Record<string, Judge> = Object.fromEntries([...PACKAGE_MANAGERS].map((p) => [p, packageManager]));
