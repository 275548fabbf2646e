// The prompt builder's promises: within budget, pinned memory always present, recent turns
// verbatim, older outputs masked to stubs that say how to get them back, oldest turns dropped,
// no cliff, and a report whose sections add up to what was built.
import type { ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { SessionLog } from '../../../test/support/session-log.ts';
import { buildPrompt } from './prompt.ts';
import { countTokens } from './tokens.ts';
import type { MemoryItemView } from './types.ts';

const item = (id: string, kind: MemoryItemView['kind'], text: string, o: Partial<MemoryItemView> = {}): MemoryItemView => ({
  id, kind, text, status: 'live', pinned: false, scope: 'session', origin: 'rule', confidence: 0.9, version: 1, sourceSeqs: [1], supersededBy: null, closedReason: null, ...o,
});

const body = (i: number) => Array.from({ length: 60 }, (_, k) => `line ${k} of file ${i}: const value${k} = compute(${k}, "${'x'.repeat(k % 7)}");`).join('\n');

function longSession(turns: number): SessionLog {
  const log = new SessionLog();
  for (let i = 1; i <= turns; i++) {
    const run = log.say(`Turn ${i}: look at module ${i}.`);
    run.tool('read_file', { path: `src/m${i}.ts` }, body(i));
    run.reply(`Module ${i} reads fine.`).end();
  }
  return log;
}

const partText = (p: Exclude<ModelMessage['content'], string>[number]) => (p.type === 'text' ? p.text
  : p.type === 'tool-call' ? `${p.toolName}${JSON.stringify(p.input)}`
    : p.type === 'tool-result' && 'value' in p.output ? `${p.toolName}${String(p.output.value)}` : '');
const text = (messages: ModelMessage[]) => messages.map((m) => (typeof m.content === 'string' ? m.content : m.content.map(partText).join('\n'))).join('\n');
const realTokens = (p: ReturnType<typeof buildPrompt>) => countTokens(p.system) + p.messages.length * 4 + countTokens(text(p.messages));

describe('buildPrompt', () => {
  it('keeps a short session whole and verbatim, and the report adds up', () => {
    const log = longSession(3);
    const p = buildPrompt({ events: log.events, memory: [], budgetTokens: 20_000, toolNames: ['read_file'] });
    expect(p.messages.filter((m) => m.role === 'user')).toHaveLength(3);
    expect(p.report.masked).toEqual([]);
    expect(p.report.dropped).toEqual([]);
    expect(p.report.totalTokens).toBe(p.report.sections.reduce((n, s) => n + s.tokens, 0));
    expect(text(p.messages)).toContain('line 59 of file 1');
  });

  it('stays within the budget at every size, masking before dropping, oldest first', () => {
    for (const budget of [2_000, 8_000, 32_000]) {
      const log = longSession(120);
      const p = buildPrompt({ events: log.events, memory: [], budgetTokens: budget });
      expect(p.report.totalTokens).toBeLessThanOrEqual(budget);
      // The count the report gives is the tokenizer's count of what is sent (within message framing).
      expect(Math.abs(realTokens(p) - p.report.totalTokens)).toBeLessThan(budget * 0.1);
      const users = p.messages.filter((m) => m.role === 'user').map((m) => m.content as string);
      expect(users.at(-1)).toBe('Turn 120: look at module 120.');
      // Kept turns are the newest ones, contiguous.
      const first = Number(/Turn (\d+)/.exec(users[0]!)![1]);
      expect(users).toEqual(Array.from({ length: 121 - first }, (_, k) => `Turn ${first + k}: look at module ${first + k}.`));
      // The newest output is verbatim; masked ones are older than every verbatim one.
      expect(text(p.messages)).toContain('line 59 of file 120');
      const maskedSeqs = p.report.masked.flatMap((m) => m.ref.slice('events:'.length).split(',').map(Number));
      // Turns are dropped only once masking is not enough, and the report says so.
      const dropped = p.report.dropped.find((d) => d.ref.startsWith('turns:'));
      expect(Boolean(dropped)).toBe(first > 1);
      if (dropped) expect(dropped.reason).toContain(`${first - 1} oldest turn(s) did not fit even with tool outputs masked`);
      expect(maskedSeqs.length).toBeGreaterThan(0);
      expect(Math.max(...maskedSeqs)).toBeLessThan(log.events.length);
    }
  });

  it('masks an old output to a stub naming the tool, the event and how to get it again', () => {
    const log = longSession(40);
    const p = buildPrompt({ events: log.events, memory: [], budgetTokens: 8_000 });
    const stub = /\[read_file output masked \(\d+ tokens, event #(\d+)\): call read_file again with \{"path":"src\/m(\d+)\.ts"\} to see it\]/;
    const all = text(p.messages);
    expect(all).toMatch(stub);
    const [, seq, module] = stub.exec(all)!;
    expect(log.events[Number(seq) - 1]).toMatchObject({ type: 'agent.tool.result' });
    expect(p.report.masked.some((m) => m.ref.slice('events:'.length).split(',').includes(seq!))).toBe(true);
    // The report names ranges: one entry per treatment, newest turns verbatim.
    expect(p.report.included.filter((e) => e.ref.startsWith('turns:')).map((e) => e.reason)).toEqual([expect.stringMatching(/turn\(s\) with tool outputs masked to stubs$/), expect.stringMatching(/turn\(s\) verbatim$/)]);
    expect(all).not.toContain(`line 59 of file ${module}:`);
  });

  it('compacts continuously: one more turn never removes more than about one turn', () => {
    let before = buildPrompt({ events: longSession(30).events, memory: [], budgetTokens: 8_000 });
    for (let n = 31; n <= 60; n++) {
      const now = buildPrompt({ events: longSession(n).events, memory: [], budgetTokens: 8_000 });
      const kept = (p: typeof now) => p.messages.filter((m) => m.role === 'user').length;
      expect(kept(now)).toBeGreaterThanOrEqual(kept(before) - 1);
      expect(now.report.masked.length).toBeLessThanOrEqual(before.report.masked.length + 2);
      before = now;
    }
  });

  it('always includes pinned memory, ranks live memory, and reports why each item is in or out', () => {
    const log = longSession(200);
    const pinned = item('p1', 'constraint', 'Never touch the billing module.', { pinned: true, sourceSeqs: [2] });
    const filler = Array.from({ length: 200 }, (_, i) => item(`k${i}`, 'known_issue', `Recurring error: flaky thing number ${i} in module ${i}`, { confidence: 0.7 }));
    const decision = item('d1', 'decision', 'We decided to use SQLite.', { sourceSeqs: [7] });
    const closed = item('c1', 'decision', 'Use Postgres.', { status: 'closed' });
    const done = item('x1', 'done', 'Done: add the --verbose flag (tests passed)', { sourceSeqs: [30, 40, 41] });
    const proposed = item('m1', 'decision', 'Releases happen on Fridays.', { origin: 'model', sourceSeqs: [9] });
    const p = buildPrompt({ events: log.events, memory: [pinned, proposed, ...filler, decision, closed, done], budgetTokens: 4_000 });
    expect(p.system).toContain('<untrusted-content source="memory">\nReleases happen on Fridays.\n</untrusted-content> (#9)');
    expect(p.system).toContain('Never touch the billing module. (#2)');
    expect(p.system).toContain('We decided to use SQLite. (#7)');
    expect(p.system).toContain('## Done (finished work: do not redo)\n- add the --verbose flag (#30)');
    expect(p.system).not.toContain('Use Postgres.');
    expect(p.report.included.find((e) => e.ref === 'memory:p1')!.reason).toContain('pinned');
    expect(p.report.dropped.some((e) => e.ref.startsWith('memory:k') && e.reason.includes('memory share'))).toBe(true);
    expect(p.report.totalTokens).toBeLessThanOrEqual(4_000);
    // Text from tool output that became memory is still marked as data.
    expect(p.system).toMatch(/<untrusted-content source="memory">\nRecurring error/);
  });

  it('lists recently touched files, excerpts files the task names, and maps their symbols', () => {
    const log = new SessionLog();
    const run = log.say('Set up.');
    run.tool('write_file', { path: 'src/parse.ts', content: 'export function parseCsv(s: string) {}\nexport class Row {}\n' }, 'wrote src/parse.ts');
    run.end();
    log.say('Now make src/parse.ts handle quoted fields.');
    const p = buildPrompt({ events: log.events, memory: [], budgetTokens: 8_000 });
    expect(p.system).toContain('Recently touched: <untrusted-content source="paths">\nsrc/parse.ts (edited #');
    expect(p.system).toContain('src/parse.ts as of #4:\n<untrusted-content source="src_parse.ts">\nexport function parseCsv');
    expect(p.system).toContain('Symbols: <untrusted-content source="repo-map">\nsrc/parse.ts: parseCsv, Row');
    expect(p.report.included.map((e) => e.ref)).toEqual(expect.arrayContaining(['file:recent', 'file:src/parse.ts', 'file:map']));
  });

  it('keeps the current turn when it alone exceeds the budget: its latest step and the request stay', () => {
    const log = new SessionLog();
    const run = log.say('Read everything.');
    for (let i = 0; i < 30; i++) run.tool('read_file', { path: `f${i}.ts` }, body(i));
    const p = buildPrompt({ events: log.events, memory: [], budgetTokens: 1_500 });
    expect(p.messages[0]).toEqual({ role: 'user', content: 'Read everything.' });
    expect(text(p.messages)).toContain('line 59 of file 29');
    expect(p.report.totalTokens).toBeLessThanOrEqual(1_500);
    expect(p.report.dropped.some((d) => d.ref.endsWith(':steps'))).toBe(true);
  });
});
