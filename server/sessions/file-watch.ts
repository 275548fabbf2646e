// Live file-change notifications per session, shared by every browser watching it: one
// watcher per workspace while anyone is connected, closed when the last one leaves.
import type { Logger } from '../log.ts';
import { watchWorkspace, type WorkspaceWatcher } from '../workspace/watcher.ts';

export type FilesChanged = (sessionId: string, paths: string[]) => void;

interface Entry { count: number; watcher: Promise<WorkspaceWatcher | null> }

export class FileWatchService {
  private readonly entries = new Map<string, Entry>();
  private listener: FilesChanged = () => {};

  constructor(private readonly log: Logger) {}

  /** The transport says where changes go (the domain knows no sockets). */
  onChange(listener: FilesChanged) { this.listener = listener; }

  /** Watches the session's workspace until the returned release is called (reference-counted). */
  retain(sessionId: string, root: string): () => void {
    let entry = this.entries.get(sessionId);
    if (!entry) {
      const watcher = watchWorkspace(root, (events) => this.listener(sessionId, [...new Set(events.map((e) => e.path))]), { log: this.log })
        .catch((err) => { this.log.warn({ err, sessionId }, 'cannot watch workspace'); return null; });
      entry = { count: 0, watcher };
      this.entries.set(sessionId, entry);
    }
    entry.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.count > 0) return;
      this.entries.delete(sessionId);
      void entry.watcher.then((w) => w?.close());
    };
  }

  closeAll() {
    for (const e of this.entries.values()) void e.watcher.then((w) => w?.close());
    this.entries.clear();
  }
}
