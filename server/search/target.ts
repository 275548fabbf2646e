// A workspace as searching sees it: sandboxed commands and the sandboxed file service.
import type { Workspace } from '../workspace/provider.ts';
import type { SearchTarget } from './text-search.ts';

/** The file service says '' for the root where search paths say '.'. */
const rel = (p: string) => (p === '.' ? '' : p);

export function searchTargetOf(ws: Pick<Workspace, 'exec' | 'files'>): SearchTarget {
  return {
    exec: (command, options) => ws.exec(command, options),
    async readText(p) {
      const r = await ws.files.read(rel(p)).catch(() => null);
      return r?.kind === 'text' ? r.content : null;
    },
    async list(p) {
      return (await ws.files.list(rel(p))).map((e) => ({ name: e.name, kind: e.type === 'directory' ? 'dir' : e.type, size: e.size }));
    },
  };
}
