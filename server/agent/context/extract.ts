// Stage 2, rules: new events become candidate memory items. Explicit statements in the user's
// messages (goals, "must/never/always", "we decided", "use X instead of Y"), failing tests and
// errors that recur in tool results, and tasks finished with a passing test run. Cheap enough to
// run after every step over the whole log; only events at or after `sinceSeq` yield candidates.
import type { EventPayload, SessionEvent } from '../../sessions/event-types.ts';
import { conflictsWith, contentWords, normalizeText, optionsNamed } from './topics.ts';
import type { Candidate, MemoryItemView, MemoryKind } from './types.ts';

const DECISION = /\b(we(?:'ve| have)? decided|decided to|decision:|let'?s (?:use|go with|switch)|we(?:'ll| will) (?:use|go with)|go with|instead of|rather than|switch(?:ed|ing)? (?:to|back to)|move to|migrate to|after all|use \S+(?: \S+)? from now on)\b/i;
/** "Use Postgres." — a choice when it names a known option (topics.ts). */
const IMPERATIVE_USE = /^(?:please\s+|ok,?\s+)?use\s/i;
const CONSTRAINT = /\b(must|mustn'?t|never|always|don'?t|do not|shall not|should not|shouldn'?t|from now on|make sure|no more than|at most|at least|avoid)\b/i;
const GOAL = /\b(the goal is|our goal|main goal|goal:|the aim is|objective:|we(?:'re| are) building|the task is to|the project is to)\b/i;
/** Words that say a statement replaces an earlier one. */
const CHANGE = /\b(instead|rather than|after all|switch(?:ed|ing)?|no longer|not anymore|any ?more|from now on|change(?:d)? to|move to|migrate to|actually)\b/i;
const REPLACED_TERM = /\b(?:instead of|rather than|no longer use|stop using|away from|, not)\s+(?:the\s+)?([\w+#/-]+(?:\.[\w+#/-]+)*)/i;

const FAILING_TEST = [
  /^\s*(?:FAIL|×|✗|✕)\s+(.+?)(?:\s+\d+\s?ms)?\s*$/gm,
  /^FAILED\s+(\S+)/gm,
  /^--- FAIL: (\S+)/gm,
  /^test (\S+) \.\.\. FAILED/gm,
];
const ERROR_LINE = /^\s*((?:[A-Z]\w*)?(?:Error|Exception)\b:?.{3,160}|error(?:\[\w+\])?: .{3,160})$/m;
const TEST_COMMAND = /\b(test|vitest|jest|mocha|pytest|go test|cargo test|playwright)\b/;
const MAX_TEXT = 300;

export interface ExtractOptions {
  /** Events before this seq are context only (a recurring error, the start of a run). */
  sinceSeq?: number;
}

export function extractFromEvents(events: readonly SessionEvent[], existing: readonly MemoryItemView[], o: ExtractOptions = {}): Candidate[] {
  const since = o.sinceSeq ?? 0;
  const out: Candidate[] = [];
  // What a new candidate may supersede: live items, then earlier candidates of this batch.
  const live: { ref: string; kind: MemoryKind; text: string }[] = existing.filter((i) => i.status === 'live').map((i) => ({ ref: i.id, kind: i.kind, text: i.text }));
  const propose = (c: Omit<Candidate, 'ref' | 'origin' | 'supersedes'>, supersedes: string[] = []) => {
    if (isDuplicate(c, existing, out)) return;
    const ref = `c${out.length + 1}`;
    const closing = new Set(supersedes);
    for (const s of closing) { const i = live.findIndex((l) => l.ref === s); if (i >= 0) live.splice(i, 1); }
    out.push({ ...c, ref, origin: 'rule', supersedes: [...closing] });
    live.push({ ref, kind: c.kind, text: c.text });
  };

  const calls = new Map<string, EventPayload<'agent.tool.requested'>>();
  const runs = new Map<string, { startSeq: number; task: string; testPassSeq: number | null; fixed: Set<string> }>();
  const errors = new Map<string, number[]>();

  for (const e of events) {
    const fresh = e.seq >= since;
    switch (e.type) {
      case 'user.message': {
        if (!fresh || e.actorKind !== 'user') break;
        for (const sentence of sentences((e.payload as EventPayload<'user.message'>).text)) {
          const kind = classify(sentence);
          if (!kind) continue;
          const text = clip(sentence);
          const supersedes = kind === 'goal' ? [] : live.filter((l) => supersedesStatement(text, l)).map((l) => l.ref);
          propose({ kind, text, sourceSeqs: [e.seq], confidence: kind === 'goal' ? 0.8 : 0.9 }, supersedes);
        }
        break;
      }
      case 'agent.run.started': {
        const p = e.payload as EventPayload<'agent.run.started'>;
        runs.set(p.runId, { startSeq: e.seq, task: p.text, testPassSeq: null, fixed: new Set() });
        break;
      }
      case 'agent.tool.requested': {
        const p = e.payload as EventPayload<'agent.tool.requested'>;
        calls.set(p.callId, p);
        break;
      }
      case 'agent.tool.result': {
        const p = e.payload as EventPayload<'agent.tool.result'>;
        const call = calls.get(p.callId);
        if (isTestRun(p, call)) {
          const passed = testPassedOnce(e, p);
          const run = runs.get(p.runId);
          if (passed && run) {
            run.testPassSeq = e.seq;
            // Failing tests this run made pass: the run's done item closes them.
            for (const issue of live) if (issue.kind === 'known_issue' && issue.text.startsWith(FAILING_PREFIX) && (p.output.includes(issue.text.slice(FAILING_PREFIX.length)) || !hasFilter(call))) run.fixed.add(issue.ref);
          }
          if (fresh && !passed) for (const name of failingTests(p.output)) propose({ kind: 'known_issue', text: clip(FAILING_PREFIX + name), sourceSeqs: [e.seq], confidence: 0.9 });
          break;
        }
        const error = p.ok ? null : errorOf(e, p.output);
        if (!error) break;
        const { line, key } = error;
        const seen = [...(errors.get(key) ?? []), e.seq];
        errors.set(key, seen);
        if (fresh && seen.length === 2) propose({ kind: 'known_issue', text: clip(`Recurring error: ${line.trim()}`), sourceSeqs: seen, confidence: 0.7 });
        break;
      }
      case 'agent.run.ended': {
        const p = e.payload as EventPayload<'agent.run.ended'>;
        const run = runs.get(p.runId);
        if (!fresh || !run || p.outcome !== 'completed' || run.testPassSeq === null) break;
        propose({ kind: 'done', text: clip(`Done: ${sentences(run.task)[0] ?? run.task} (tests passed)`), sourceSeqs: [run.startSeq, run.testPassSeq, e.seq], confidence: 0.8 }, [...run.fixed].filter((ref) => live.some((l) => l.ref === ref)));
        break;
      }
    }
  }
  return out;
}

const FAILING_PREFIX = 'Failing test: ';

export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter((s) => s.length >= 3);
}

function classify(sentence: string): MemoryKind | null {
  if (DECISION.test(sentence) || (IMPERATIVE_USE.test(sentence) && optionsNamed(sentence).size)) return 'decision';
  if (CONSTRAINT.test(sentence)) return 'constraint';
  if (GOAL.test(sentence)) return 'goal';
  return null;
}

/** Whether `next` replaces a live decision or constraint: it names what that one chose as the thing to replace, picks another option of the same kind, or restates it with a change word. */
export function supersedesStatement(next: string, prior: { kind: MemoryKind; text: string }): boolean {
  if (prior.kind !== 'decision' && prior.kind !== 'constraint') return false;
  const replaced = REPLACED_TERM.exec(next)?.[1];
  if (replaced && new RegExp(`\\b${escape(replaced)}\\b`, 'i').test(prior.text)) return true;
  if (prior.kind === 'decision' && conflictsWith(next, prior.text)) return true;
  if (!CHANGE.test(next)) return false;
  // A restatement: same words, new numbers ("under 300 ms" → "under 250 ms"). A word only one side
  // has on each side means another subject ("search endpoints" vs "reports endpoints").
  const words = (s: string) => new Set([...contentWords(s)].filter((w) => !/^\d+$/.test(w)));
  const a = words(next);
  const b = words(prior.text);
  const shared = [...a].filter((w) => b.has(w)).length;
  const onlyA = a.size - shared;
  const onlyB = b.size - shared;
  return shared >= 2 && (onlyA === 0 || onlyB === 0);
}

/** Candidates (a model's, say) minus what memory or an earlier candidate already says. */
export function withoutDuplicates(candidates: readonly Candidate[], existing: readonly MemoryItemView[], earlier: readonly Candidate[]): Candidate[] {
  const kept: Candidate[] = [...earlier];
  for (const c of candidates) if (!isDuplicate(c, existing, kept)) kept.push(c);
  return kept.slice(earlier.length);
}

function isDuplicate(c: Pick<Candidate, 'kind' | 'text' | 'sourceSeqs'>, existing: readonly MemoryItemView[], batch: readonly Candidate[]): boolean {
  const norm = normalizeText(c.text);
  const first = c.sourceSeqs[0];
  return existing.some((i) => i.kind === c.kind && ((i.status === 'live' && normalizeText(i.text) === norm) || (i.sourceSeqs[0] === first && i.origin !== 'user')))
    || batch.some((b) => b.kind === c.kind && normalizeText(b.text) === norm);
}

function isTestRun(p: EventPayload<'agent.tool.result'>, call: EventPayload<'agent.tool.requested'> | undefined): boolean {
  if (p.tool === 'run_tests') return true;
  if (p.tool !== 'run_command') return false;
  const command = JSON.stringify(call?.input ?? p.detail?.command ?? '');
  return TEST_COMMAND.test(command);
}

/** Extraction reads the whole log every step; what each old result says is worked out once. */
const errorLines = new WeakMap<SessionEvent, { line: string; key: string } | null>();
function errorOf(e: SessionEvent, output: string): { line: string; key: string } | null {
  let found = errorLines.get(e);
  if (found === undefined) {
    const line = ERROR_LINE.exec(output)?.[1] ?? output.split('\n', 1)[0] ?? '';
    found = line ? { line, key: normalizeText(line).replace(/\d+/g, '#') } : null;
    errorLines.set(e, found);
  }
  return found;
}

const verdicts = new WeakMap<SessionEvent, boolean>();
function testPassedOnce(e: SessionEvent, p: EventPayload<'agent.tool.result'>): boolean {
  let v = verdicts.get(e);
  if (v === undefined) verdicts.set(e, (v = testPassed(p)));
  return v;
}

function testPassed(p: EventPayload<'agent.tool.result'>): boolean {
  if (!p.ok) return false;
  if (typeof p.detail?.passed === 'boolean') return p.detail.passed;
  if (/^(PASSED|FAILED|TIMED OUT):/.test(p.output)) return p.output.startsWith('PASSED');
  return /\bexit code 0\b/.test(p.output) && failingTests(p.output).length === 0;
}

function hasFilter(call: EventPayload<'agent.tool.requested'> | undefined): boolean {
  const input = call?.input as { filter?: unknown } | undefined;
  return call?.tool !== 'run_tests' || Boolean(input?.filter);
}

export function failingTests(output: string): string[] {
  const names = new Set<string>();
  for (const re of FAILING_TEST) for (const m of output.matchAll(re)) names.add(m[1]!.trim());
  return [...names].slice(0, 20);
}

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
