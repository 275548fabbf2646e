// The contract every agent tool implements, and the one wrapper that runs them: arguments are
// validated here (a ZodError becomes a message the model can act on), failures become values,
// and output is capped here, so no tool does any of that itself.
import { z } from 'zod';
import type { NewEvent } from '../../sessions/event-types.ts';
import type { ExecOptions, ExecResult, Snapshot } from '../../workspace/provider.ts';

export type ToolEffect = 'read' | 'write' | 'exec' | 'vcs' | 'network';

export interface DirEntry { name: string; kind: 'file' | 'dir' | 'symlink' | 'other'; size: number }

/**
 * What tools need of a workspace's files. Paths are relative to the workspace root; the
 * implementation refuses anything that resolves outside it, symlinks included.
 */
export interface ToolFiles {
  readText(path: string): Promise<string>;
  /** Creates parent directories. */
  writeText(path: string, content: string): Promise<void>;
  list(path: string): Promise<DirEntry[]>;
}

/** The slice of a workspace the agent uses: files, sandboxed processes, snapshots. */
export interface AgentWorkspace {
  readonly files: ToolFiles;
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>;
  snapshot(label: string): Promise<Snapshot>;
  restore(snapshotId: string): Promise<void>;
  /**
   * Hides the workspace's secret values in text bound for the model (read anew per call, so a
   * rotated value is masked at once). Absent where a workspace has no secrets store.
   */
  secretMasker?(): Promise<(text: string) => string>;
}

export interface ToolContext {
  workspace: AgentWorkspace;
  signal: AbortSignal;
  sessionId: string;
  callId: string;
  /** Appends an event to the session on the agent's behalf (release_check records its report). */
  record?(event: NewEvent): Promise<void>;
}

/** output is what the model reads; detail is for the tool card in the UI (diff, exit code …). */
export type ToolResult =
  | { ok: true; output: string; detail?: Record<string, unknown> }
  | { ok: false; error: string; detail?: Record<string, unknown> };

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: S;
  effect: ToolEffect;
  /** Why this particular call is high-risk (push, hard reset …), for the policy; null when not. */
  highRisk?(input: z.output<S>): string | null;
  run(ctx: ToolContext, input: z.output<S>): Promise<ToolResult>;
}

export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool<S> {
  return tool;
}

export type AnyTool = Tool<z.ZodType>;

/** What the model reads at most per tool result; the rest is cut from the middle. */
export const MAX_TOOL_OUTPUT_CHARS = 30_000;

export function capOutput(text: string, max = MAX_TOOL_OUTPUT_CHARS): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  const head = Math.floor(max * 0.6);
  const tail = max - head;
  const cut = text.length - head - tail;
  return {
    text: `${text.slice(0, head)}\n\n[… ${cut} characters cut from the middle; narrow the request to see them …]\n\n${text.slice(-tail)}`,
    truncated: true,
  };
}

export function formatZodError(toolName: string, error: z.ZodError): string {
  const issues = error.issues.map((i) => `- ${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`);
  return `The ${toolName} tool was called with invalid arguments:\n${issues.join('\n')}\nFix the arguments to match the tool's schema and call it again.`;
}

/** Runs one call. Never throws: every failure is a result the model sees. */
export async function invokeTool(tool: AnyTool, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
  const parsed = tool.input.safeParse(rawInput);
  if (!parsed.success) return { ok: false, error: formatZodError(tool.name, parsed.error) };
  let result: ToolResult;
  try {
    result = await tool.run(ctx, parsed.data);
  } catch (err) {
    if (ctx.signal.aborted) return { ok: false, error: `${tool.name} was stopped before it finished.` };
    result = { ok: false, error: `${tool.name} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  result = await masked(result, ctx.workspace);
  if (result.ok) {
    const capped = capOutput(result.output);
    return capped.truncated ? { ...result, output: capped.text, detail: { ...result.detail, truncated: true } } : result;
  }
  return { ...result, error: capOutput(result.error).text };
}

/**
 * Masks before capping, so a value cut in two by the cap is still masked whole. If the secrets
 * cannot be loaded the output is withheld rather than risked.
 */
async function masked(result: ToolResult, ws: AgentWorkspace): Promise<ToolResult> {
  if (!ws.secretMasker) return result;
  let mask: (text: string) => string;
  try {
    mask = await ws.secretMasker();
  } catch (err) {
    return { ok: false, error: `The output was withheld: the workspace's secrets could not be loaded to mask it (${err instanceof Error ? err.message : String(err)}).` };
  }
  const detail = result.detail ? maskStrings(result.detail, mask) as Record<string, unknown> : undefined;
  return result.ok ? { ...result, output: mask(result.output), detail } : { ...result, error: mask(result.error), detail };
}

/** Every string in a JSON-like value (the tool card's detail: diffs, paths …), masked. */
function maskStrings(v: unknown, mask: (text: string) => string): unknown {
  if (typeof v === 'string') return mask(v);
  if (Array.isArray(v)) return v.map((x) => maskStrings(x, mask));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskStrings(x, mask)]));
  return v;
}

/** The JSON schema the model sees for a tool's arguments. */
export function inputJsonSchema(tool: AnyTool): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return schema;
}
