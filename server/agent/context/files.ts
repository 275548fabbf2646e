// The "relevant files" section, from the log alone (no workspace reads, so it stays cheap and
// replayable): files touched recently, an excerpt of each file the task names, and a compact
// map of top-level symbols of the files whose content the log has seen.
import type { EventPayload, SessionEvent } from '../../sessions/event-types.ts';

const MAX_TOUCHED = 15;
const MAX_MAPPED_FILES = 30;
const MAX_SYMBOLS_PER_FILE = 12;
const EXCERPT_LINES = 40;
/** How far back to look: older content is likely stale, and the scan must stay cheap. */
const SCAN_EVENTS = 2_000;

const PATH_IN_TEXT = /(?:^|[\s`'"(])((?:[\w.-]+\/)*[\w-]+\.[A-Za-z]{1,6})(?=$|[\s`'"),:;])/g;
const SYMBOL = /^(?:\s*\d+\t)?(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|const|def|struct|trait|impl|fn|func)\s+([A-Za-z_$][\w$]*)/gm;
const LINE_NUMBER = /^\s*\d+\t/;

export interface FileContext {
  /** Most recent first: path and what happened to it. */
  touched: { path: string; action: string; seq: number }[];
  excerpts: { path: string; seq: number; text: string }[];
  repoMap: { path: string; symbols: string[] }[];
}

export function fileContext(events: readonly SessionEvent[], task: string): FileContext {
  const named = new Set([...task.matchAll(PATH_IN_TEXT)].map((m) => m[1]!));
  const touched = new Map<string, { path: string; action: string; seq: number }>();
  const content = new Map<string, { seq: number; text: string }>();
  const requests = new Map<string, { tool: string; input: Record<string, unknown> }>();
  const from = Math.max(0, events.length - SCAN_EVENTS);
  // Oldest to newest, so later content replaces earlier content of the same file.
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === 'agent.tool.requested') {
      const p = e.payload as EventPayload<'agent.tool.requested'>;
      const input = (p.input ?? {}) as Record<string, unknown>;
      requests.set(p.callId, { tool: p.tool, input });
    } else if (e.type === 'agent.tool.result') {
      const p = e.payload as EventPayload<'agent.tool.result'>;
      const req = requests.get(p.callId);
      const path = req?.input.path;
      if (!p.ok || typeof path !== 'string') continue;
      touch(touched, path, p.tool === 'read_file' ? 'read' : p.tool === 'list_dir' ? 'listed' : 'edited', e.seq);
      if (p.tool === 'write_file' && typeof req!.input.content === 'string') content.set(path, { seq: e.seq, text: req!.input.content });
      if (p.tool === 'read_file' && !req!.input.startLine) content.set(path, { seq: e.seq, text: p.output.split('\n').map((l) => l.replace(LINE_NUMBER, '')).join('\n') });
    } else if (e.type === 'file.changed') {
      const p = e.payload as EventPayload<'file.changed'>;
      touch(touched, p.to ?? p.path, p.change, e.seq);
    }
  }
  const excerpts = [...named].flatMap((path) => {
    const c = content.get(path);
    return c ? [{ path, seq: c.seq, text: c.text.split('\n').slice(0, EXCERPT_LINES).join('\n') }] : [];
  });
  const repoMap = [...content].slice(-MAX_MAPPED_FILES).map(([path, c]) => ({
    path, symbols: [...new Set([...c.text.matchAll(SYMBOL)].map((m) => m[1]!))].slice(0, MAX_SYMBOLS_PER_FILE),
  })).filter((f) => f.symbols.length);
  return { touched: [...touched.values()].reverse().slice(0, MAX_TOUCHED), excerpts, repoMap };
}

function touch(map: Map<string, { path: string; action: string; seq: number }>, path: string, action: string, seq: number) {
  map.delete(path);
  map.set(path, { path, action, seq });
}
