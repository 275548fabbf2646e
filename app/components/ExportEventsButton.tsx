'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../lib/trpc.ts';

/** Downloads the session's events as JSON Lines: the input of `npm run context:build -- --events FILE`. */
export function ExportEventsButton({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const exportEvents = async () => {
    setState({ busy: true, error: null });
    try {
      const { filename, jsonl } = await queryClient.fetchQuery({ ...trpc.memory.exportEvents.queryOptions({ sessionId }), staleTime: 0 });
      const url = URL.createObjectURL(new Blob([jsonl], { type: 'application/x-ndjson' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: filename });
      a.click();
      // The download has started from the URL by the next task; then it can go.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      setState({ busy: false, error: null });
    } catch (err) {
      setState({ busy: false, error: `Could not export the events: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  return (
    <>
      <button type="button" className="ghost small" onClick={() => void exportEvents()} disabled={state.busy} title="Download this session's events as JSON Lines (for context:build)">
        Export events
      </button>
      {state.error && <span role="alert" className="form-error small-text">{state.error}</span>}
    </>
  );
}
