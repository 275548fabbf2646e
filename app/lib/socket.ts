'use client';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServer, ServerToClient } from '../../server/realtime/protocol.ts';
import { routeKey } from './route-key.ts';

export type TetherSocket = Socket<ServerToClient, ClientToServer>;

let shared: TetherSocket | null = null;

/**
 * One socket per tab, shared by every panel; the cookie authenticates it. On a session page it
 * names the session, so a load balancer connects it to the instance that runs that session.
 */
export function getSocket(): TetherSocket {
  const key = routeKey();
  shared ??= io({ path: '/socket.io', transports: ['websocket'], withCredentials: true, ...(key ? { query: { session: decodeURIComponent(key) } } : {}) });
  return shared;
}
