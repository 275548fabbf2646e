// Live file-change notifications per session, shared by every browser watching it: one
// watcher per workspace while anyone is connected, closed when the last one leaves. The
// watching itself happens in the workspace host (as the workspace uid, in its sandbox); if the
// host stops, the watch is started again (which restarts the host) after a short pause.
import type { Logger } from '../log.ts';
import type { FileService, WorkspaceWatcher } from '../workspace/files.ts';

export type FilesChanged = (sessionId: string, paths: string[]) => void;

/** Pause before re-watching after the workspace host stopped, doubled while it keeps failing. */
export const REWATCH_DELAY_MS = 1000;
const MAX_REWATCH_DELAY_MS = 60_000;

interface Entry { count: number; watcher: WorkspaceWatcher | null; timer: NodeJS.Timeout | null; closed: boolean; delayMs: number }

export class FileWatchService {
  private readonly entries = new Map<string, Entry>();
  private listener: FilesChanged = () => {};

  constructor(private readonly log: Logger) {}

  /** The transport says where changes go (the domain knows no sockets). */
  onChange(listener: FilesChanged) { this.listener = listener; }

  /** Watches the session's workspace until the returned release is called (reference-counted). */
  retain(sessionId: string, files: FileService): () => void {
    let entry = this.entries.get(sessionId);
    if (!entry) {
      entry = { count: 0, watcher: null, timer: null, closed: false, delayMs: REWATCH_DELAY_MS };
      this.entries.set(sessionId, entry);
      this.start(sessionId, files, entry);
    }
    entry.count++;
    let released = false;
    const held = entry;
    return () => {
      if (released) return;
      released = true;
      if (--held.count > 0) return;
      // The entry may already be gone (the session stopped) or replaced by a newer watch.
      if (this.entries.get(sessionId) === held) this.entries.delete(sessionId);
      this.stop(held);
    };
  }

  /** The session stopped: its workspace is closed, so watching it (or retrying) is pointless. */
  closeSession(sessionId: string) {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    this.stop(entry);
  }

  closeAll() {
    for (const e of this.entries.values()) this.stop(e);
    this.entries.clear();
  }

  private start(sessionId: string, files: FileService, entry: Entry): void {
    const rewatch = (reason: string) => {
      this.log.warn({ sessionId, reason, retryInMs: entry.delayMs }, 'workspace watch ended; watching again shortly');
      entry.watcher = null;
      if (entry.closed) return;
      entry.timer = setTimeout(() => { entry.timer = null; this.start(sessionId, files, entry); }, entry.delayMs);
      entry.delayMs = Math.min(entry.delayMs * 2, MAX_REWATCH_DELAY_MS);
    };
    files.watch((events) => this.listener(sessionId, [...new Set(events.map((e) => e.path))]), {
      onEnd: rewatch,
      onPartial: (max) => this.log.warn({ sessionId, max }, 'workspace watcher: too many directories, watching partially'),
    }).then(
      (w) => {
        if (entry.closed) void w.close();
        else entry.watcher = w;
        entry.delayMs = REWATCH_DELAY_MS;
      },
      (err: unknown) => rewatch(err instanceof Error ? err.message : String(err)),
    );
  }

  private stop(entry: Entry): void {
    entry.closed = true;
    if (entry.timer) clearTimeout(entry.timer);
    void entry.watcher?.close();
  }
}
