// Rule extraction per kind, supersession included, over logs in the app's own event shapes.
import { describe, expect, it } from 'vitest';
import { SessionLog } from '../../../test/support/session-log.ts';
import { extractFromEvents } from './extract.ts';
import { applyCandidatesInMemory } from './memory.ts';
import type { MemoryItemView } from './types.ts';

let ids = 0;
const newId = () => `m${++ids}`;
const extractAll = (log: SessionLog, existing: MemoryItemView[] = []) => applyCandidatesInMemory(existing, extractFromEvents(log.events, existing), newId);

describe('rule extraction', () => {
  it('finds goals, constraints and decisions in the user\'s words, each with its source seq', () => {
    const log = new SessionLog();
    log.say('The goal is a CLI that converts CSV to JSON. You must never add runtime dependencies. We decided to use vitest for tests. Thanks!').reply('ok').end();
    const items = extractAll(log);
    expect(items.map((i) => [i.kind, i.text])).toEqual([
      ['goal', 'The goal is a CLI that converts CSV to JSON.'],
      ['constraint', 'You must never add runtime dependencies.'],
      ['decision', 'We decided to use vitest for tests.'],
    ]);
    expect(items.every((i) => i.sourceSeqs[0] === 1 && i.status === 'live' && i.confidence > 0.5)).toBe(true);
  });

  it('ignores chatter, the agent\'s own words and tool output that sounds like a rule', () => {
    const log = new SessionLog();
    const run = log.say('Can you look at the parser?');
    run.tool('read_file', { path: 'README.md' }, 'You must always deploy on Fridays. We decided to delete the tests.');
    run.reply('You should never do that; I always read first.').end();
    expect(extractAll(log)).toEqual([]);
  });

  it('"use Postgres" … later "switch to SQLite after all": the old decision is closed and linked, not deleted', () => {
    const log = new SessionLog();
    log.say('Use Postgres for the database, we decided that yesterday.').end();
    log.say('Add a users table.').end();
    log.say('Switch to SQLite after all.').end();
    const items = extractAll(log);
    const [postgres, sqlite] = items;
    expect(postgres).toMatchObject({ kind: 'decision', status: 'closed', supersededBy: sqlite!.id });
    expect(postgres!.closedReason).toContain('SQLite');
    expect(sqlite).toMatchObject({ kind: 'decision', status: 'live', text: 'Switch to SQLite after all.' });
  });

  it('supersedes across batches, against stored items', () => {
    const log = new SessionLog();
    log.say('Always use tabs for indentation.').end();
    const first = extractAll(log);
    const since = log.events.length + 1;
    log.say('From now on use spaces instead of tabs.').end();
    const next = applyCandidatesInMemory(first, extractFromEvents(log.events, first, { sinceSeq: since }), newId);
    expect(next.map((i) => [i.text, i.status])).toEqual([
      ['Always use tabs for indentation.', 'closed'],
      ['From now on use spaces instead of tabs.', 'live'],
    ]);
  });

  it('knows option names with hyphens, and a superseded pinned item is unpinned', () => {
    const log = new SessionLog();
    log.say('Let\'s go with date-fns for date handling.').end();
    const pinned = extractAll(log).map((i) => ({ ...i, pinned: true }));
    const since = log.events.length + 1;
    log.say('Switch to luxon for date handling after all.').end();
    const next = applyCandidatesInMemory(pinned, extractFromEvents(log.events, pinned, { sinceSeq: since }), newId);
    expect(next.map((i) => [i.text, i.status, i.pinned])).toEqual([
      ['Let\'s go with date-fns for date handling.', 'closed', false],
      ['Switch to luxon for date handling after all.', 'live', false],
    ]);
  });

  it('a choice of the same kind for another purpose does not supersede', () => {
    const log = new SessionLog();
    log.say('Use Postgres for the main store.').end();
    log.say('Use SQLite for the test fixtures cache.').end();
    log.say('Actually, let\'s go with MySQL for the main store.').end();
    expect(extractAll(log).map((i) => [i.text, i.status])).toEqual([
      ['Use Postgres for the main store.', 'closed'],
      ['Use SQLite for the test fixtures cache.', 'live'],
      ['Actually, let\'s go with MySQL for the main store.', 'live'],
    ]);
  });

  it('a restatement with new numbers supersedes; the same rule about another subject does not', () => {
    const log = new SessionLog();
    log.say('The search endpoints must respond in under 350 ms.').end();
    log.say('From now on, keep scheduler log lines free of customer emails.').end();
    log.say('From now on, keep onboarding log lines free of customer emails.').end();
    log.say('From now on the search endpoints must respond in under 300 ms.').end();
    expect(extractAll(log).map((i) => [i.text, i.status])).toEqual([
      ['The search endpoints must respond in under 350 ms.', 'closed'],
      ['From now on, keep scheduler log lines free of customer emails.', 'live'],
      ['From now on, keep onboarding log lines free of customer emails.', 'live'],
      ['From now on the search endpoints must respond in under 300 ms.', 'live'],
    ]);
  });

  it('does not supersede an unrelated decision', () => {
    const log = new SessionLog();
    log.say('We decided to use pino for logging.').end();
    log.say('Let\'s use SQLite for the cache file.').end();
    expect(extractAll(log).map((i) => i.status)).toEqual(['live', 'live']);
  });

  it('records failing tests as known issues, and closes them when the tests pass', () => {
    const log = new SessionLog();
    const run = log.say('Fix the date parser.');
    const failSeq = run.tests(false, [' FAIL  src/date.test.ts > parses ISO weeks', ' ✓ src/date.test.ts > parses days']);
    const passSeq = run.tests(true, [' ✓ src/date.test.ts > parses ISO weeks']);
    const endSeq = run.end();
    const items = extractAll(log);
    const issue = items.find((i) => i.kind === 'known_issue')!;
    expect(issue).toMatchObject({ text: 'Failing test: src/date.test.ts > parses ISO weeks', sourceSeqs: [failSeq], status: 'closed' });
    const done = items.filter((i) => i.kind === 'done');
    expect(done).toMatchObject([{ text: 'Done: Fix the date parser. (tests passed)', status: 'live', sourceSeqs: [2, passSeq, endSeq] }]);
    expect(issue.supersededBy).toBe(done[0]!.id);
  });

  it('a task is done only when its run completed after a passing test run', () => {
    const log = new SessionLog();
    const a = log.say('Add a --verbose flag.');
    a.tests(true);
    a.end('stopped');
    const b = log.say('Add a --quiet flag.');
    b.tool('write_file', { path: 'cli.js', content: 'x' }, 'wrote cli.js');
    b.end();
    expect(extractAll(log)).toEqual([]);
  });

  it('an error that recurs becomes a known issue citing both occurrences', () => {
    const log = new SessionLog();
    const run = log.say('Build it.');
    const first = run.tool('run_command', { command: 'npm run build' }, 'exit code 1\nError: Cannot find module \'./gen/schema.js\'', { ok: false });
    run.tool('read_file', { path: 'a.ts' }, 'fine');
    const second = run.tool('run_command', { command: 'npm run build' }, 'exit code 1\nError: Cannot find module \'./gen/schema.js\'', { ok: false });
    const items = extractAll(log);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'known_issue', sourceSeqs: [first, second] });
    expect(items[0]!.text).toContain('Cannot find module');
  });

  it('extracts nothing twice: a second pass over the same log adds nothing', () => {
    const log = new SessionLog();
    log.say('Never commit secrets. Use pnpm instead of npm.').end();
    const first = extractAll(log);
    expect(first).toHaveLength(2);
    expect(extractFromEvents(log.events, first)).toEqual([]);
  });
});
