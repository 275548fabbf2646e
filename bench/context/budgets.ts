// What the prompt budget from context windows changes over a whole session: the input tokens sent
// (prompt + tool schemas) summed over one model call per turn, and how many calls would not fit the
// route's context window. "fixed 100k" is the old rule (DEFAULT_PROMPT_BUDGET_TOKENS, tool schemas
// not counted); the other rows take the budget from the window as the agent loop now does.
//
//   node --import tsx bench/context/budgets.ts [--turns 150] [--seed 1]
import { parseArgs } from 'node:util';
import { memoryFromLog } from '../../server/agent/context/offline.ts';
import { buildPrompt } from '../../server/agent/context/prompt.ts';
import { countTokens } from '../../server/agent/context/tokens.ts';
import { builtinTools, toolRegistry, toolSpecs } from '../../server/agent/tools/registry.ts';
import { promptBudget } from '../../server/models/budget.ts';
import { generateSession } from './generate.ts';

const WINDOWS = [8_192, 32_768, 128_000, 200_000];
const OLD_FIXED_BUDGET = 100_000;

const { values } = parseArgs({ options: { turns: { type: 'string', default: '150' }, seed: { type: 'string', default: '1' } } });
const session = generateSession(Number(values.turns), Number(values.seed));
const tools = toolSpecs(toolRegistry(builtinTools));
const toolNames = Object.keys(tools);
const toolSchemaTokens = countTokens(JSON.stringify(tools));
// One model call per turn, made when the turn's user message is the newest event.
const callAt = session.events.flatMap((e, i) => (e.type === 'user.message' ? [i + 1] : []));

function sessionTotals(budgetOf: (window: number) => number, window: number) {
  let sent = 0;
  let overflows = 0;
  let maxInput = 0;
  for (const end of callAt) {
    const events = session.events.slice(0, end);
    const built = buildPrompt({ events, memory: memoryFromLog(events), budgetTokens: budgetOf(window), toolNames });
    const input = built.report.totalTokens + toolSchemaTokens;
    sent += input;
    maxInput = Math.max(maxInput, input);
    // The reply needs room too: the same reserve the new rule keeps.
    if (input + promptBudget({ tokens: window, source: 'known' }, toolSchemaTokens).replyTokens > window) overflows++;
  }
  return { sent, overflows, maxInput };
}

console.log(`${callAt.length} calls (one per turn), ${session.events.length} events, tool schemas ${toolSchemaTokens} tokens\n`);
console.log('| route context window | budget rule | prompt budget | input tokens, whole session | largest call | calls that overflow the window |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const window of WINDOWS) {
  for (const [rule, budgetOf] of [['fixed 100k (before)', () => OLD_FIXED_BUDGET], ['from the window (now)', (w: number) => promptBudget({ tokens: w, source: 'known' }, toolSchemaTokens).promptTokens]] as const) {
    const t = sessionTotals(budgetOf, window);
    console.log(`| ${window.toLocaleString('en-US')} | ${rule} | ${budgetOf(window).toLocaleString('en-US')} | ${t.sent.toLocaleString('en-US')} | ${t.maxInput.toLocaleString('en-US')} | ${t.overflows} of ${callAt.length} |`);
  }
}
