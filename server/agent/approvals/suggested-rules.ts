// "Approve and add rule": the allow rules that would let the same call through next time without
// asking. One rule per parsed part (the engine needs every part allowed); nothing is suggested
// for high risk (no rule can allow that) or when a part contains glob characters, which would
// widen the rule beyond what the person saw.
import type { Risk } from '../policy.ts';
import { RULE_TOOLS, type RuleTool } from '../policy/rules.ts';

/** The egress proxy's approvals ("workspace wants to reach host:port"); "always" adds the host to the workspace's allowlist. */
export const EGRESS_TOOL = 'network';

export interface SuggestedRule { tool: RuleTool | typeof EGRESS_TOOL; pattern: string }

const PATH_TOOLS = new Set(['write_file', 'edit_file', 'read_file', 'list_dir']);
const GLOB = /[*?]/;

export function suggestedRules(a: { tool: string; risk: string; detail: unknown }): SuggestedRule[] {
  if (a.tool === EGRESS_TOOL) {
    const host = ((a.detail ?? {}) as { input?: { host?: unknown } }).input?.host;
    return (a.risk as Risk) !== 'high' && typeof host === 'string' && !GLOB.test(host) ? [{ tool: EGRESS_TOOL, pattern: host }] : [];
  }
  const tool = RULE_TOOLS.find((t) => t === a.tool && t !== '*');
  if (!tool || (a.risk as Risk) === 'high') return [];
  const detail = (a.detail ?? {}) as { input?: { path?: unknown }; commands?: unknown };
  const subjects = PATH_TOOLS.has(a.tool)
    ? (typeof detail.input?.path === 'string' ? [detail.input.path] : [])
    : Array.isArray(detail.commands) ? detail.commands.filter(Array.isArray).map((argv: unknown[]) => argv.map(String).join(' ')) : [];
  if (!subjects.length || subjects.some((s) => !s || GLOB.test(s))) return [];
  return [...new Set(subjects)].map((pattern) => ({ tool, pattern }));
}
