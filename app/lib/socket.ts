'use client';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServer, ServerToClient } from '../../server/realtime/protocol.ts';

export type TetherSocket = Socket<ServerToClient, ClientToServer>;

let shared: TetherSocket | null = null;

/** One socket per tab, shared by every panel; the cookie authenticates it. */
export function getSocket(): TetherSocket {
  shared ??= io({ path: '/socket.io', transports: ['websocket'], withCredentials: true });
  return shared;
}
