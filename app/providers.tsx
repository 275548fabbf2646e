'use client';
import { useState, type ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, httpLink, splitLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../server/api/root.ts';
import { withRouteKey } from './lib/route-key.ts';
import { TRPCProvider } from './lib/trpc.ts';

/** Each API call carries the page's session, so a load balancer sends it where that session runs. */
const routedFetch: typeof fetch = (input, init) => fetch(typeof input === 'string' ? withRouteKey(input) : input, init);

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(() => new QueryClient({
    defaultOptions: { queries: { staleTime: 5_000, retry: (count, err) => count < 2 && !/UNAUTHORIZED|FORBIDDEN|NOT_FOUND/.test(String((err as { data?: { code?: string } }).data?.code)) } },
  }));
  const [trpcClient] = useState(() => createTRPCClient<AppRouter>({
    // Mutations go one per request: the server allows a large body (a file save) only to a request
    // whose every call takes one, so a save must not share a batch with another call.
    links: [splitLink({
      condition: (op) => op.type === 'mutation',
      true: httpLink({ url: '/api/trpc', transformer: superjson, fetch: routedFetch }),
      false: httpBatchLink({ url: '/api/trpc', transformer: superjson, fetch: routedFetch }),
    })],
  }));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>{children}</TRPCProvider>
    </QueryClientProvider>
  );
}
