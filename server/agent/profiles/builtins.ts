// The five profiles every team starts with (editable by its admins, not deletable).
import type { ProfileInput, ProfileSpec } from './spec.ts';

export const DEFAULT_PROFILE = 'build';

const ANY_PATH = { read: ['**'], write: ['**'] };
const READ_ONLY = { read: ['**'], write: [] };
const noRoute = { chain: [], extraction: [] };
const limits = (maxSteps: number): ProfileSpec['limits'] => ({ maxSteps, tokenBudget: null, wallClockSeconds: null, userDailyTokens: null, teamDailyTokens: null });

/** Commands that only look: the whole of what `ask` and `plan` may run. */
const LOOK_COMMANDS = ['ls', 'ls *', 'cat *', 'head *', 'tail *', 'wc *', 'grep *', 'rg *', 'tree', 'tree *', 'pwd', 'git log', 'git log *', 'git diff', 'git diff *', 'git status', 'git status *', 'git show *', 'git blame *'];

const READ_TOOLS = ['read_file', 'list_dir', 'search'];

export const BUILTIN_PROFILES: ProfileInput[] = [
  {
    name: 'ask',
    description: 'Answers questions about the code: reads, lists and searches; runs only read-only commands; writes nothing.',
    spec: { tools: [...READ_TOOLS, 'run_command'], paths: READ_ONLY, commands: LOOK_COMMANDS, rules: [], network: { hosts: [] }, route: noRoute, limits: limits(30) },
  },
  {
    name: 'plan',
    description: 'As ask, and writes plans under .tether/plans/.',
    spec: { tools: [...READ_TOOLS, 'write_file', 'edit_file', 'run_command'], paths: { read: ['**'], write: ['.tether/plans/**'] }, commands: LOOK_COMMANDS, rules: [], network: { hosts: [] }, route: noRoute, limits: limits(30) },
  },
  {
    name: 'build',
    description: 'Changes the code: every tool, the whole workspace, under the team\'s rules (the behaviour before profiles).',
    spec: { tools: ['*'], paths: ANY_PATH, commands: [], rules: [], network: { hosts: ['*'] }, route: noRoute, limits: limits(50) },
  },
  {
    name: 'review',
    description: 'Reviews changes: reads, runs the tests, reads git history; no writes to files, no commits, no push.',
    spec: {
      tools: [...READ_TOOLS, 'run_command', 'run_tests', 'git'], paths: READ_ONLY, commands: [],
      rules: [{ action: 'deny', tool: 'git', pattern: 'push*' }, { action: 'deny', tool: 'git', pattern: 'commit*' }, { action: 'deny', tool: 'git', pattern: 'reset*' }],
      network: { hosts: [] }, route: noRoute, limits: limits(40),
    },
  },
  {
    name: 'release',
    description: 'Checks and publishes a release; publishing always needs a person\'s yes.',
    spec: {
      // release_check is the secrets issue's tool: offered once it is registered, skipped until then.
      tools: [...READ_TOOLS, 'run_command', 'run_tests', 'git', 'release_check'], paths: READ_ONLY, commands: [],
      rules: [{ action: 'ask', tool: 'run_command', pattern: '* publish*' }, { action: 'ask', tool: 'git', pattern: 'push*' }, { action: 'ask', tool: 'git', pattern: 'tag*' }],
      network: { hosts: [] }, route: noRoute, limits: limits(40),
    },
  },
];
