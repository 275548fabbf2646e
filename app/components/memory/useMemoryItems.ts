'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { SessionEvent } from '../../../server/realtime/protocol.ts';
import { useTRPC } from '../../lib/trpc.ts';

/** The session's memory, re-read whenever a memory.* event arrives (from anyone: people or extraction). */
export function useMemoryItems(sessionId: string, events: SessionEvent[]) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.memory.list.queryOptions({ sessionId }));
  const lastMemorySeq = events.filter((e) => e.type.startsWith('memory.')).at(-1)?.seq;
  useEffect(() => {
    if (lastMemorySeq) void queryClient.invalidateQueries({ queryKey: trpc.memory.list.queryKey({ sessionId }) });
  }, [lastMemorySeq, queryClient, trpc, sessionId]);
  return list;
}
