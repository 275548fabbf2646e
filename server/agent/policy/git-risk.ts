// git's argv, judged: reads are low, ordinary commits and branches medium, anything that
// rewrites history, discards work, deletes refs, publishes, or changes what git will run, high.
// An unknown subcommand may be an alias for anything, so it is high too.
import { longOptionIs } from './judge.ts';
import { outsideWorkspace, sensitiveWrite } from './paths.ts';
import { high, low, medium, type Finding } from './risk.ts';

/** Global options that take a value as the next word. */
const GLOBAL_WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env', '--super-prefix', '--list-cmds']);

const READS = new Set([
  'status', 'log', 'diff', 'show', 'blame', 'annotate', 'shortlog', 'describe', 'rev-parse', 'rev-list', 'ls-files', 'ls-tree',
  'ls-remote', 'cat-file', 'grep', 'help', 'version', 'whatchanged', 'show-ref', 'for-each-ref', 'name-rev', 'merge-base',
  'count-objects', 'fsck', 'check-ignore', 'check-attr', 'var', 'diff-tree', 'diff-files', 'diff-index', 'show-branch', 'range-diff', 'cherry',
]);
const ORDINARY = new Set([
  'add', 'commit', 'merge', 'cherry-pick', 'revert', 'pull', 'fetch', 'am', 'apply', 'mv', 'init', 'clone', 'notes',
  'switch', 'checkout', 'restore', 'stash', 'remote', 'submodule', 'worktree', 'bisect', 'format-patch', 'archive', 'bundle', 'sparse-checkout', 'maintenance', 'gc', 'prune', 'repack', 'rm', 'tag', 'branch', 'reflog', 'config', 'reset', 'clean',
]);

const FORCE_PUSH = /^(-f|--force|--force-with-lease(=.*)?|--force-if-includes|--mirror|--prune|--delete|-d)$/;

/** Options that name a program for git to run. */
const RUNS_PROGRAM = ['--upload-pack', '--receive-pack', '--exec', '--extcmd', '--open-files-in-pager'];

export interface GitArgs { sub: string | null; args: string[]; globals: string[] }

/** Splits `git [global options] subcommand args`; sub is null when there is none (git --version). */
export function splitGit(argv: string[]): GitArgs {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    globals.push(a);
    if (GLOBAL_WITH_VALUE.has(a)) { globals.push(argv[i + 1] ?? ''); i += 2; } else i += 1;
  }
  return { sub: argv[i] ?? null, args: argv.slice(i + 1), globals };
}

/** argv without the leading "git"; words computed at run time are null. */
export function gitRisk(argv: (string | null)[]): Finding {
  if (argv.some((a) => a === null)) return high('git is given an argument computed at run time, so what it does cannot be checked');
  const { sub, args, globals } = splitGit(argv as string[]);
  // git accepts any unambiguous prefix of a long option (--forc is --force): match prefixes too.
  const has = (...flags: string[]) => args.some((a) => flags.some((f) => longOptionIs(a, f)));
  const shortFlag = (ch: string) => args.some((a) => /^-[a-zA-Z]+$/.test(a) && a.includes(ch));
  const positional = args.filter((a) => !a.startsWith('-'));

  for (let i = 0; i < globals.length; i++) {
    const g = globals[i]!;
    if (g === '-C') {
      const dir = globals[i + 1] ?? '';
      if (outsideWorkspace(dir)) return high(`git -C ${dir} works outside the workspace`);
      const s = sensitiveWrite(`${dir}/x`);
      if (s) return high(`git -C ${dir} works inside ${s.reason}`);
    }
    if (g === '-c' || g === '--config-env') return high('git -c sets configuration for this call, and settings such as core.pager or alias.* run other programs');
    if (g === '--git-dir' || g === '--work-tree' || g.startsWith('--git-dir=') || g.startsWith('--work-tree=')) return high('git is pointed at another repository or work tree');
    if (g === '--exec-path' || g.startsWith('--exec-path=')) return high('git is told to run its subcommands from another directory');
  }
  if (sub === null) return low('git without a subcommand only prints information');
  const runs = args.find((a) => RUNS_PROGRAM.some((o) => longOptionIs(a, o)) || /^-[A-Za-z]*u/.test(a) && ['clone', 'ls-remote'].includes(sub) || /^ext::/.test(a) || (sub === 'grep' && /^-[A-Za-z]*O/.test(a)) || (sub === 'difftool' && /^-[A-Za-z]*x/.test(a)));
  if (runs) return high(`git ${sub} ${runs} makes git run another program`);
  if (sub === 'clone' && (has('--config') || args.some((a) => /^-[A-Za-z]*c/.test(a)))) return high('git clone -c sets configuration (hooks path, pager …) in the new repository');
  const output = args.find((a, i) => longOptionIs(a, '--output') || longOptionIs(a, '--output-directory') || (args[i - 1] !== undefined && ['-o', '--output', '--output-directory'].includes(args[i - 1]!)));
  if (output !== undefined) {
    const file = output.includes('=') ? output.slice(output.indexOf('=') + 1) : output;
    const s = sensitiveWrite(file);
    if (s) return high(`git ${sub} writes ${file}, ${s.reason}`);
  }
  // Subcommands that write the paths they are given (clone into, submodule add, worktree add,
  // mv, rm, checkout -- paths …); reading and staging name paths without writing them.
  if (!READS.has(sub) && sub !== 'add' && sub !== 'commit') {
    const hit = positional.map((p) => ({ p, s: sensitiveWrite(p) })).find((x) => x.s);
    if (hit) return high(`git ${sub} touches ${hit.p}, ${hit.s!.reason}`);
  }
  if (sub === 'bisect' && positional[0] === 'run') return high('git bisect run runs a command at every step');

  switch (sub) {
    case 'push': {
      if (args.some((a) => FORCE_PUSH.test(a)) || shortFlag('f') || shortFlag('d')) return high('force-push or remote deletion rewrites the remote history');
      if (positional.slice(1).some((r) => r.startsWith('+') || r.startsWith(':'))) return high('a +refspec force-pushes and a :ref deletes a remote branch');
      return high('push publishes commits to a remote');
    }
    case 'reset':
      if (has('--hard', '--merge', '--keep')) return high('reset --hard discards uncommitted changes');
      return medium('reset moves the branch or unstages files; nothing is discarded');
    case 'clean':
      if (has('-n', '--dry-run') || shortFlag('n')) return low('git clean --dry-run only lists files');
      if (has('-f', '--force') || shortFlag('f')) return high('git clean -f deletes untracked files for good');
      return medium('git clean without -f refuses to delete anything');
    case 'branch':
      if (has('-d', '-D', '--delete', '-f', '--force', '-M', '-C') || shortFlag('D') || shortFlag('d')) return high('deletes or overwrites a branch');
      if (has('-m', '--move', '-c', '--copy', '--set-upstream-to', '-u', '--unset-upstream', '--edit-description') || positional.length) return medium('creates or renames a branch');
      return low('lists branches');
    case 'tag':
      if (has('-d', '--delete', '-f', '--force') || shortFlag('d') || shortFlag('f')) return high('deletes or moves a tag');
      if (!positional.length || has('-l', '--list', '--contains', '--points-at', '--merged', '--no-merged')) return low('lists tags');
      return medium('creates a tag');
    case 'rebase': case 'filter-branch': case 'filter-repo': case 'replace':
      return high(`git ${sub} rewrites history`);
    case 'commit':
      if (has('--amend', '--fixup', '--squash')) return high('commit --amend rewrites the last commit');
      return medium('records a commit');
    case 'reflog':
      if (positional[0] === 'expire' || positional[0] === 'delete') return high('expiring the reflog throws away the way back to lost commits');
      return low('shows the reflog');
    case 'gc': case 'prune':
      if (args.some((a) => a.startsWith('--prune')) || sub === 'prune') return high('pruning deletes unreachable commits for good');
      return medium('compacts the repository');
    case 'update-ref': case 'symbolic-ref':
      return high(`git ${sub} rewrites a ref directly`);
    case 'checkout':
      if (has('-f', '--force', '-B', '--overwrite-ignore') || shortFlag('f')) return high('checkout --force discards uncommitted changes');
      // `checkout <ref> --` (what the git tool runs) names no paths; anything after -- does.
      if (args.indexOf('--') >= 0 && args.indexOf('--') < args.length - 1) return high('checking out paths overwrites their uncommitted changes');
      if (positional.includes('.') || has('-p', '--patch', '--ours', '--theirs')) return high('checking out paths overwrites their uncommitted changes');
      return medium('switches branches');
    case 'switch':
      if (has('-f', '--force', '--discard-changes', '-C', '--force-create')) return high('switch --discard-changes throws away uncommitted work');
      return medium('switches branches');
    case 'restore':
      if ((has('--staged', '-S') || shortFlag('S')) && !has('--worktree', '-W')) return medium('unstages files');
      return high('restore overwrites uncommitted changes in the work tree');
    case 'stash':
      if (positional[0] === 'drop' || positional[0] === 'clear') return high('dropping a stash deletes saved work');
      if (positional[0] === 'list' || positional[0] === 'show') return low('shows stashes');
      return medium('stashes changes');
    case 'rm':
      if (has('--cached')) return medium('untracks files (they stay on disk)');
      if (has('-f', '--force') || shortFlag('f') || shortFlag('r')) return high('git rm -r/-f deletes files, uncommitted changes included');
      return medium('deletes tracked files (recoverable from history)');
    case 'worktree':
      if (positional[0] === 'remove' && has('-f', '--force')) return high('removes a work tree with its uncommitted changes');
      if (positional[0] === 'list') return low('lists work trees');
      return medium(`git worktree ${positional[0] ?? ''}`.trim());
    case 'config':
      if (has('--get', '--get-all', '--get-regexp', '-l', '--list', '--show-origin') || positional[0] === 'get' || positional[0] === 'list' || positional.length === 1) return low('reads git configuration');
      return high('changes git configuration, where aliases, hooks and pagers name programs to run');
    case 'submodule':
      if (positional[0] === 'foreach') return high('git submodule foreach runs a shell command in every submodule');
      return medium(`git submodule ${positional[0] ?? ''}`.trim());
    case 'remote':
      if (!positional.length || positional[0] === 'show' || positional[0] === 'get-url' || has('-v', '--verbose')) return low('lists remotes');
      return medium('changes the remotes');
    case 'send-email': case 'request-pull': case 'daemon': case 'http-backend': case 'instaweb':
      return high(`git ${sub} sends or serves the repository`);
  }
  if (READS.has(sub)) return low(`git ${sub} only reads`);
  if (ORDINARY.has(sub)) return medium(`git ${sub} changes the work tree or repository`);
  return high(`git ${sub} is not a known git command (it may be an alias for anything)`);
}
