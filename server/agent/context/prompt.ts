// Stage 4: one prompt within a token budget. In order of precedence: the system and policy
// summary, pinned memory (always), live memory, the done-ledger, relevant files, then the turns —
// the newest verbatim, older ones with tool outputs masked to one-line stubs, the oldest dropped.
// Compaction is continuous: as the log grows the boundaries move one output or one turn at a
// time. The report says what each section cost and why each thing was kept, masked or dropped.
import type { ModelMessage } from 'ai';
import type { promptReportSchema, SessionEvent } from '../../sessions/event-types.ts';
import type { z } from 'zod';
import { projectRuns, type ProjectedTurn } from '../projection.ts';
import { markUntrusted, UNTRUSTED_RULE } from '../untrusted.ts';
import { fileContext } from './files.ts';
import { countTokens, type Tokenizer } from './tokens.ts';
import type { MemoryItemView, MemoryKind } from './types.ts';

export interface BuildPromptInput {
  events: readonly SessionEvent[];
  /** Live (and pinned) items; closed ones are ignored. */
  memory: readonly MemoryItemView[];
  /** The current task; defaults to the text of the latest run. */
  task?: string;
  budgetTokens: number;
  toolNames?: string[];
  tokenizer?: Tokenizer;
}

export type PromptReport = z.infer<typeof promptReportSchema>;
/** ref is memory:<id>, file:<path|recent|map>, turns:<fromSeq>-<toSeq>, events:<seq>,<seq>… or turn:<runId>:steps. */
export type ReportEntry = PromptReport['included'][number];

export interface BuiltPrompt { system: string; messages: ModelMessage[]; report: PromptReport }

/** Shares of the budget the optional sections may take; what they leave goes to the turns. */
const MEMORY_SHARE = 0.25;
/** The done-ledger grows with the work: it may take what memory leaves of this share. */
const MEMORY_AND_LEDGER_SHARE = 0.5;
const FILES_SHARE = 0.08;
/** When the turns do not all fit, the newest are kept verbatim up to this share of what is left for turns. */
const VERBATIM_SHARE = 0.6;
/** Per-message framing the providers add (role markers, separators). */
const MESSAGE_OVERHEAD = 4;
const KIND_ORDER: MemoryKind[] = ['constraint', 'decision', 'goal', 'known_issue'];
const KIND_TITLE: Record<MemoryKind, string> = { goal: 'Goals', constraint: 'Constraints', decision: 'Decisions', known_issue: 'Known issues', done: 'Done' };

const POLICY_SUMMARY = 'Every tool call passes a policy gate: reads run, changes may wait for a person\'s approval, high-risk actions (force push, hard reset, deleting many files, network) need an admin, and some are refused. A refusal is an answer: do not retry the same call.';
const MEMORY_RULE = 'The memory below was kept from earlier in this session, each item with the events it came from (#seq). Constraints and decisions still hold unless the user changes them; never redo work the done-ledger lists.';

export function systemText(toolNames: readonly string[]): string {
  return [
    'You are Tether\'s coding agent, working in the user\'s project at /workspace inside a sandbox.',
    `Use the tools (${toolNames.join(', ')}) to inspect and change the project; paths are relative to the workspace root.`,
    'Read before you edit, make focused changes, run the tests when you change code, and finish with a short report of what you did.',
    UNTRUSTED_RULE,
    POLICY_SUMMARY,
  ].join('\n');
}

export function buildPrompt(input: BuildPromptInput): BuiltPrompt {
  const count = input.tokenizer ? (t: string) => input.tokenizer!.count(t) : countTokens;
  const budget = input.budgetTokens;
  const report: PromptReport = { budgetTokens: budget, totalTokens: 0, sections: [], included: [], masked: [], dropped: [] };
  const section = (name: string, tokens: number) => { report.sections.push({ name, tokens }); report.totalTokens += tokens; };
  const parts: string[] = [];
  const add = (name: string, text: string) => { if (!text) return; const t = count(text); parts.push(text); section(name, t); };

  add('system', systemText(input.toolNames ?? []));

  const live = input.memory.filter((m) => m.status === 'live');
  const pinned = live.filter((m) => m.pinned);
  const ledger = live.filter((m) => !m.pinned && m.kind === 'done');
  const rest = live.filter((m) => !m.pinned && m.kind !== 'done')
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.confidence - a.confidence || newest(b) - newest(a));

  if (pinned.length || rest.length || ledger.length) add('memory rule', MEMORY_RULE);
  add('pinned memory', memoryBlock('Pinned (always kept)', pinned, count, report, () => true, 'pinned: always in the prompt'));
  let room = Math.floor(budget * MEMORY_SHARE);
  const fits = (t: number) => t <= room && ((room -= t), true);
  add('memory', memoryBlock('Memory', rest, count, report, fits, `live memory, within its ${Math.round(MEMORY_SHARE * 100)}% share of the budget`, 'the memory share of the budget was full; lower-ranked items go first'));
  room += Math.floor(budget * (MEMORY_AND_LEDGER_SHARE - MEMORY_SHARE));
  add('done-ledger', memoryBlock(LEDGER_TITLE, [...ledger].sort((a, b) => newest(b) - newest(a)), count, report, fits, 'finished work, so it is not redone', 'the done-ledger share was full; the oldest finished work goes first'));

  const task = input.task ?? latestTask(input.events);
  add('files', filesBlock(input.events, task, Math.floor(budget * FILES_SHARE), count, report));

  const system = parts.join('\n\n');
  const messages = fitTurns(projectRuns(input.events), Math.max(0, budget - report.totalTokens), count, report);
  return { system, messages, report };
}

const LEDGER_TITLE = 'Done (finished work: do not redo)';

function memoryBlock(title: string, items: readonly MemoryItemView[], count: (t: string) => number, report: PromptReport, fits: (tokens: number) => boolean, why: string, whyNot = ''): string {
  const lines: string[] = [];
  let kind: MemoryKind | null = null;
  const ledger = title === LEDGER_TITLE;
  for (const m of items) {
    // Known issues quote tool output, and a model's proposals may echo it: both stay marked as data.
    const text = m.kind === 'known_issue' || m.origin === 'model' ? markUntrusted('memory', m.text) : m.text;
    const line = ledger ? `- ${ledgerText(m)}` : `- ${text} (${provenance(m)})`;
    const heading = m.kind !== kind && !ledger ? `${KIND_TITLE[m.kind]}:\n` : '';
    const tokens = count(heading + line) + 1;
    if (!fits(tokens)) { report.dropped.push({ ref: `memory:${m.id}`, tokens, reason: whyNot }); continue; }
    kind = m.kind;
    lines.push(heading + line);
    report.included.push({ ref: `memory:${m.id}`, tokens, reason: why });
  }
  return lines.length ? `## ${title}\n${lines.join('\n')}` : '';
}

/** The ledger grows with the work done, so its lines are short: the task, and the event that opened it. */
const ledgerText = (m: MemoryItemView) => `${m.text.replace(/^Done: /, '').replace(/ \(tests passed\)$/, '')} (#${m.sourceSeqs[0] ?? '?'})`;
const provenance = (m: MemoryItemView) => (m.sourceSeqs.length ? m.sourceSeqs.map((s) => `#${s}`).join(' ') : `added by a person, v${m.version}`);
const newest = (m: MemoryItemView) => m.sourceSeqs.at(-1) ?? Number.MAX_SAFE_INTEGER;

function latestTask(events: readonly SessionEvent[]): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'agent.run.started' || e.type === 'user.message') return (e.payload as { text: string }).text;
  }
  return '';
}

function filesBlock(events: readonly SessionEvent[], task: string, share: number, count: (t: string) => number, report: PromptReport): string {
  const ctx = fileContext(events, task);
  const blocks: { ref: string; text: string; reason: string }[] = [];
  // Paths and symbols come from the workspace, so they are data too.
  if (ctx.touched.length) blocks.push({ ref: 'file:recent', text: `Recently touched: ${markUntrusted('paths', ctx.touched.map((t) => `${t.path} (${t.action} #${t.seq})`).join(', '))}`, reason: 'files touched most recently' });
  for (const x of ctx.excerpts) blocks.push({ ref: `file:${x.path}`, text: `${x.path} as of #${x.seq}:\n${markUntrusted(x.path, x.text)}`, reason: 'named in the task' });
  const kept: string[] = [];
  let room = share;
  for (const b of blocks) {
    const tokens = count(b.text) + 1;
    if (tokens > room) { report.dropped.push({ ref: b.ref, tokens, reason: `did not fit the files share (${share} tokens)` }); continue; }
    room -= tokens;
    kept.push(b.text);
    report.included.push({ ref: b.ref, tokens, reason: b.reason });
  }
  // The repo map takes what room is left, newest files first; the rest is named in the report.
  const mapped: string[] = [];
  for (const f of [...ctx.repoMap].reverse()) {
    const line = `${f.path}: ${f.symbols.join(', ')}`;
    const tokens = count(line) + 1;
    if (tokens > room) break;
    room -= tokens;
    mapped.push(line);
  }
  if (mapped.length) {
    kept.push(`Symbols: ${markUntrusted('repo-map', mapped.join('; '))}`);
    report.included.push({ ref: 'file:map', tokens: count(mapped.join('; ')), reason: `repo map of the ${mapped.length} file(s) seen most recently` });
  }
  if (mapped.length < ctx.repoMap.length) report.dropped.push({ ref: 'file:map', tokens: 0, reason: `${ctx.repoMap.length - mapped.length} older file(s) left out of the repo map: the files share (${share} tokens) was full` });
  return kept.length ? `## Relevant files\n${kept.join('\n')}` : '';
}

interface Fitted { messages: ModelMessage[]; tokens: number; masked: ReportEntry[] }
type Attempt = Fitted & { fits: boolean };

/**
 * Newest turn first: verbatim while they fit the verbatim window (all of the room when every turn
 * fits), then with tool outputs masked oldest first, then dropped. The newest turn always stays;
 * if it alone is too long its oldest steps go.
 */
function fitTurns(turns: ProjectedTurn[], room: number, count: (t: string) => number, report: PromptReport): ModelMessage[] {
  const costs = new Map<ModelMessage, number>();
  const cost = (m: ModelMessage) => { let c = costs.get(m); if (c === undefined) costs.set(m, (c = messageTokens(m, count))); return c; };
  let everything = 0;
  for (let i = turns.length - 1; i >= 0 && everything <= room; i--) for (const m of turns[i]!.messages) everything += cost(m);
  const window = everything <= room ? room : Math.floor(room * VERBATIM_SHARE);

  const kept: (Fitted & { turn: ProjectedTurn })[] = [];
  let used = 0;
  let verbatim = true;
  let i = turns.length - 1;
  for (; i >= 0; i--) {
    const turn = turns[i]!;
    const newestTurn = i === turns.length - 1;
    let fitted: Fitted | null = null;
    if (verbatim) {
      fitted = fitting(maskToFit(turn, window - used, cost, count, newestTurn, 'older than the outputs kept verbatim'));
      if (!fitted || fitted.masked.length) verbatim = false;
    }
    // Past the verbatim window every output is masked (0: mask all), so older turns cost a stub each.
    if (!fitted) {
      const all = maskToFit(turn, 0, cost, count, newestTurn, 'older than the turns kept verbatim');
      fitted = all.tokens <= room - used ? all : null;
    }
    if (!fitted && newestTurn) fitted = dropOldSteps(turn, room - used, cost, count, report);
    if (!fitted) break;
    kept.push({ ...fitted, turn });
    used += fitted.tokens;
  }
  kept.reverse();
  reportTurns(kept, report);
  if (i >= 0) {
    const tokens = turns.slice(0, i + 1).reduce((n, t) => n + t.messages.reduce((k, m) => k + cost(m), 0), 0);
    report.dropped.push({ ref: `turns:${turns[0]!.firstSeq}-${turns[i]!.lastSeq}`, tokens, reason: `${i + 1} oldest turn(s) did not fit even with tool outputs masked; what they established is in memory` });
  }
  report.sections.push({ name: 'turns', tokens: used });
  report.totalTokens += used;
  return kept.flatMap((f) => f.messages);
}

/**
 * Kept turns as runs of the same treatment, and masked outputs by reason with their seqs: the
 * report is stored with every model call, so it names ranges rather than each event.
 */
function reportTurns(kept: readonly (Fitted & { turn: ProjectedTurn })[], report: PromptReport) {
  const groups: { masked: boolean; first: number; last: number; n: number; tokens: number }[] = [];
  const masked = new Map<string, { seqs: string[]; tokens: number }>();
  for (const k of kept) {
    const isMasked = k.masked.length > 0;
    const g = groups.at(-1);
    if (g && g.masked === isMasked) Object.assign(g, { last: k.turn.lastSeq, n: g.n + 1, tokens: g.tokens + k.tokens });
    else groups.push({ masked: isMasked, first: k.turn.firstSeq, last: k.turn.lastSeq, n: 1, tokens: k.tokens });
    for (const m of k.masked) {
      const entry = masked.get(m.reason) ?? { seqs: [], tokens: 0 };
      entry.seqs.push(m.ref);
      entry.tokens += m.tokens;
      masked.set(m.reason, entry);
    }
  }
  for (const g of groups) {
    report.included.push({ ref: `turns:${g.first}-${g.last}`, tokens: g.tokens, reason: g.masked ? `${g.n} turn(s) with tool outputs masked to stubs` : `${g.n} turn(s) verbatim` });
  }
  for (const [reason, m] of masked) report.masked.push({ ref: `events:${m.seqs.join(',')}`, tokens: m.tokens, reason: `${m.seqs.length} tool output(s) masked (tokens saved): ${reason}` });
}

const fitting = (a: Attempt): Fitted | null => (a.fits ? a : null);

/** The turn with tool outputs masked oldest first until it fits (or all are masked). The newest turn's last results stay. */
function maskToFit(turn: ProjectedTurn, room: number, cost: (m: ModelMessage) => number, count: (t: string) => number, newestTurn: boolean, reason: string): Attempt {
  const messages = [...turn.messages];
  let tokens = messages.reduce((n, m) => n + cost(m), 0);
  const masked: ReportEntry[] = [];
  const lastTool = newestTurn ? messages.findLastIndex((m) => m.role === 'tool') : -1;
  for (let k = 0; k < messages.length && tokens > room; k++) {
    const m = messages[k]!;
    if (m.role !== 'tool' || k === lastTool) continue;
    const content = m.content.map((p) => {
      if (p.type !== 'tool-result' || p.output.type === 'error-text') return p;
      const call = turn.calls.get(p.toolCallId);
      const before = count('value' in p.output ? String(p.output.value) : '');
      const stub = stubFor(p.toolName, call?.resultSeq ?? null, call?.input, before);
      masked.push({ ref: String(call?.resultSeq ?? p.toolCallId), tokens: before - count(stub), reason });
      return { ...p, output: { type: 'text' as const, value: stub } };
    });
    const next = { ...m, content } as ModelMessage;
    tokens += cost(next) - cost(m);
    messages[k] = next;
  }
  return { messages, tokens, masked, fits: tokens <= room };
}

/** The newest turn alone is over the budget: keep its request and its latest steps. */
function dropOldSteps(turn: ProjectedTurn, room: number, cost: (m: ModelMessage) => number, count: (t: string) => number, report: PromptReport): Fitted {
  const all = maskToFit(turn, 0, cost, count, true, 'the current turn is longer than the budget');
  const messages = all.messages;
  let tokens = messages.reduce((n, m) => n + cost(m), 0);
  let cut = 1;
  // Steps are an assistant message and the tool message answering it: drop them together.
  while (tokens > room && cut < messages.length - 2) {
    const width = messages[cut + 1]?.role === 'tool' ? 2 : 1;
    for (let k = 0; k < width; k++) tokens -= cost(messages[cut + k]!);
    cut += width;
  }
  if (cut > 1) report.dropped.push({ ref: `turn:${turn.runId}:steps`, tokens: 0, reason: `the current turn alone exceeds the budget: its ${cut - 1} oldest message(s) were dropped` });
  return { messages: [messages[0]!, ...messages.slice(cut)], tokens, masked: all.masked };
}

function stubFor(tool: string, seq: number | null, input: unknown, tokens: number): string {
  const args = JSON.stringify(input ?? {});
  return `[${tool} output masked (${tokens} tokens${seq ? `, event #${seq}` : ''}): call ${tool} again with ${args.length > 160 ? `${args.slice(0, 157)}…` : args} to see it]`;
}

/** Token counts by part identity: projection reuses an event's part on every build (projection.ts). */
const partTokens = new WeakMap<object, number>();

/** Tokens of one message as sent, framing included (the baselines in bench/context count the same way). */
export function messageTokens(m: ModelMessage, count: (t: string) => number): number {
  const cached = (key: object, text: () => string) => {
    if (count !== countTokens) return count(text());
    let n = partTokens.get(key);
    if (n === undefined) partTokens.set(key, (n = count(text())));
    return n;
  };
  if (typeof m.content === 'string') return MESSAGE_OVERHEAD + cached(m, () => m.content as string);
  let n = MESSAGE_OVERHEAD;
  for (const p of m.content) {
    if (p.type === 'text') n += cached(p, () => p.text);
    else if (p.type === 'tool-call') n += cached(p, () => `${p.toolName} ${JSON.stringify(p.input ?? null)}`);
    else if (p.type === 'tool-result' && 'value' in p.output) {
      const output = p.output;
      n += cached(p, () => `${p.toolName} ${typeof output.value === 'string' ? output.value : JSON.stringify(output.value)}`);
    }
  }
  return n;
}
