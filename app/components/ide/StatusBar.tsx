'use client';
// The status bar: connection, git branch, and what the focused editor shows — cursor, selection,
// language, encoding and line endings.
import { isUnreachable } from '../../lib/server-errors.ts';
import { useQuery } from '@tanstack/react-query';
import type { Connection } from '../../lib/useSessionEvents.ts';
import { useTRPC } from '../../lib/trpc.ts';
import { useCursorStatus } from './editor-status.ts';
import './editor-tools.css';

/**
 * The branch is re-read this often (without a repository too: `git init` may come): the watcher
 * does not look inside .git, so a branch switch in a terminal announces nothing.
 */
const BRANCH_POLL_MS = 10_000;

const LANGUAGE_NAMES: Record<string, string> = {
  typescript: 'TypeScript', javascript: 'JavaScript', json: 'JSON', css: 'CSS', scss: 'SCSS', less: 'Less', html: 'HTML',
  markdown: 'Markdown', python: 'Python', shell: 'Shell', yaml: 'YAML', dockerfile: 'Dockerfile', go: 'Go', rust: 'Rust',
  java: 'Java', sql: 'SQL', xml: 'XML', ini: 'INI', plaintext: 'Plain text',
};

/** `.git/HEAD` names the branch (`ref: refs/heads/main`) or, detached, a commit. */
export function branchFromHead(head: string): string {
  const ref = /^ref: refs\/heads\/(.+)$/m.exec(head.trim());
  return ref ? ref[1]! : `detached at ${head.trim().slice(0, 7)}`;
}

function useBranch(sessionId: string, enabled: boolean) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.files.read.queryOptions({ sessionId, path: '.git/HEAD' }, { refetchInterval: BRANCH_POLL_MS, retry: false }),
    enabled,
    select: (f) => (f.content === null ? null : branchFromHead(f.content)),
  });
}

function connectionText(c: Connection): { text: string; tone: string } {
  if (typeof c === 'object') return { text: `Disconnected: ${c.error}`, tone: 'failed' };
  return { text: c === 'live' ? 'Connected' : c === 'connecting' ? 'Connecting…' : 'Offline, reconnecting…', tone: c === 'live' ? 'active' : 'stopped' };
}

export function StatusBar({ sessionId, connection, workspaceReady }: { sessionId: string; connection: Connection; workspaceReady: boolean }) {
  const cursor = useCursorStatus();
  const branch = useBranch(sessionId, workspaceReady);
  const conn = connectionText(connection);
  const notRepo = (branch.error as { data?: { code?: string } } | null)?.data?.code === 'NOT_FOUND';
  // Server out of reach: the connection item says so, and the last branch read stays shown.
  const branchError = branch.error && !notRepo && !isUnreachable(branch.error) ? branch.error.message : null;
  return (
    <div className="status-bar" role="region" aria-label="Status bar">
      <span className={`status-item status-${conn.tone}`} title="Connection to the server">{conn.text}</span>
      {branch.data && <span className="status-item" title="Git branch">Branch: {branch.data}</span>}
      {branchError && <span className="status-item" title={branchError}>Branch unknown: {branchError}</span>}
      <span className="spacer" />
      {cursor && (
        <>
          <span className="status-item" title="Cursor position">Ln {cursor.line}, Col {cursor.column}{cursor.selected ? ` (${cursor.selected} selected)` : ''}</span>
          <span className="status-item" title="Encoding">UTF-8</span>
          <span className="status-item" title="Line endings">{cursor.eol}</span>
          <span className="status-item" title="Language mode">{LANGUAGE_NAMES[cursor.language] ?? cursor.language}</span>
        </>
      )}
    </div>
  );
}
