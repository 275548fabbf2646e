'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { getSocket } from '../../lib/socket.ts';
import { useTRPC } from '../../lib/trpc.ts';

/** The team's pending approvals (admins only), refreshed whenever the server says the queue changed. */
export function useApprovalQueue(enabled: boolean) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queue = useQuery({ ...trpc.approvals.queue.queryOptions(), enabled });
  useEffect(() => {
    if (!enabled) return;
    const socket = getSocket();
    const watch = () => socket.emit('approvals:watch', () => {});
    const onChanged = () => void queryClient.invalidateQueries({ queryKey: trpc.approvals.queue.queryKey() });
    socket.on('approvals:changed', onChanged);
    // A reconnect joins a fresh socket: watch again, and catch up on what changed meanwhile.
    socket.on('connect', watch);
    socket.on('connect', onChanged);
    if (socket.connected) watch();
    return () => {
      socket.off('approvals:changed', onChanged);
      socket.off('connect', watch);
      socket.off('connect', onChanged);
    };
  }, [enabled, queryClient, trpc]);
  return queue;
}
