// `npm run --silent policy:explain -- '<shell command>'`: the engine's verdict on one call under
// the default rules, as exactly one JSON object, for operators and scripts.
//   policy:explain -- 'git push --force'
//   policy:explain -- --tool write_file --arg path=.github/workflows/ci.yml --arg content=x
//   policy:explain -- --rule 'allow run_command(npm test*)' --medium ask -- 'npm test'
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BUILTIN_PROFILES } from '../profiles/builtins.ts';
import { evaluateWithProfile, type DecidingLayer } from '../profiles/policy.ts';
import { builtinTools } from '../tools/registry.ts';
import { formatZodError } from '../tools/tool.ts';
import { DEFAULT_POLICY_SETTINGS, evaluate, parseRuleText, policyRuleInput, policySettingsInput, type PolicyRule } from './engine.ts';

export const USAGE = [
  "usage: npm run --silent policy:explain -- [options] '<shell command>'",
  '       npm run --silent policy:explain -- --tool <tool> --arg name=value [--arg name=value …]',
  'options:',
  '  --tool <name>        the tool called (default run_command, whose command is the argument)',
  '  --arg name=value     an argument of the tool; true, false and numbers are read as JSON',
  "  --rule '<action> <tool>(<pattern>)'   a rule to apply (repeatable); without it, the default rules",
  '  --medium allow|ask   what medium risk defaults to (default allow)',
  '  --profile <name>     decide under a built-in task profile (ask, plan, build, review, release):',
  '                       its scope first, then its rules with the team\'s; adds "profile" and "layer"',
  'prints {"risk","decision","reason","rule"} as one JSON object',
].join('\n');

export class UsageError extends Error {}

export interface ExplainOutput { risk: string; decision: string; reason: string; rule: string | null; profile?: string; layer?: DecidingLayer }

const ruleText = z.string().transform((s, ctx) => {
  const m = /^\s*(allow|ask|deny)\s+(.+)$/s.exec(s);
  const parsed = m ? parseRuleText(m[2]!) : null;
  if (!m || !parsed) { ctx.addIssue({ code: 'custom', message: `"${s}" is not a rule like 'allow run_command(npm test*)'` }); return z.NEVER; }
  const r = policyRuleInput.safeParse({ action: m[1], tool: parsed.tool, pattern: parsed.pattern, scope: 'workspace' });
  if (!r.success) { ctx.addIssue({ code: 'custom', message: `rule "${s}": ${r.error.issues.map((i) => i.message).join('; ')}` }); return z.NEVER; }
  return r.data;
});

export async function explain(argv: string[]): Promise<ExplainOutput> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        tool: { type: 'string' },
        arg: { type: 'string', multiple: true },
        rule: { type: 'string', multiple: true },
        medium: { type: 'string' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  const tool = values.tool ?? 'run_command';
  const known = builtinTools.find((t) => t.name === tool);
  if (!known) throw new UsageError(`--tool ${tool}: not a tool; one of ${builtinTools.map((t) => t.name).join(', ')}`);
  const input: Record<string, unknown> = {};
  for (const a of values.arg ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--arg ${a}: expected name=value`);
    input[a.slice(0, eq)] = readValue(a.slice(eq + 1));
  }
  if (tool === 'run_command' && !('command' in input)) {
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one shell command (quote it), got ${positionals.length} arguments` : 'no command given');
    input.command = positionals[0];
  } else if (positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[0]}": give ${tool}'s arguments with --arg name=value`);
  }
  const valid = known.input.safeParse(input);
  if (!valid.success) throw new UsageError(formatZodError(tool, valid.error).split('\n').slice(0, -1).join('\n'));
  const settings = policySettingsInput.safeParse({ mediumAction: values.medium ?? DEFAULT_POLICY_SETTINGS.mediumAction });
  if (!settings.success) throw new UsageError(`--medium must be allow or ask, not "${values.medium}"`);
  const rules: PolicyRule[] = (values.rule ?? []).map((text, i) => {
    const r = ruleText.safeParse(text);
    if (!r.success) throw new UsageError(r.error.issues.map((x) => x.message).join('; '));
    return { id: `cli-${i + 1}`, ...r.data };
  });
  if (values.profile === undefined) {
    const v = await evaluate({ tool, input }, rules, settings.data);
    return { risk: v.risk, decision: v.decision, reason: v.reason, rule: v.rule };
  }
  const profile = BUILTIN_PROFILES.find((p) => p.name === values.profile);
  if (!profile) throw new UsageError(`--profile ${values.profile}: not a built-in profile; one of ${BUILTIN_PROFILES.map((p) => p.name).join(', ')}`);
  const v = await evaluateWithProfile({ tool, input }, rules, settings.data, profile);
  return { risk: v.risk, decision: v.decision, reason: v.reason, rule: v.rule, profile: profile.name, layer: v.layer };
}

function readValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false' || /^-?\d+(\.\d+)?$/.test(raw)) return JSON.parse(raw);
  return raw;
}
