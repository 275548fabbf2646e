// Which failed calls the editor queues (server unreachable) and which it reports (server refused),
// on the errors tRPC's client really throws (app/lib/server-errors.ts).
import { createServer, type Server } from 'node:http';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, isUnreachable } from '../app/lib/server-errors.ts';
import type { AppRouter } from '../server/api/root.ts';

let server: Server;
let base: string;
let status = 503;
beforeAll(async () => {
  // Stands in for a proxy in front of a restarting server, or for the server refusing a call.
  server = createServer((_req, res) => {
    if (status === 503) { res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable'); return; }
    res.writeHead(409, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { json: { message: 'File changed on disk', code: -32009, data: { code: 'CONFLICT', httpStatus: 409 } } } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const save = (url: string) => createTRPCClient<AppRouter>({ links: [httpLink({ url, transformer: superjson })] })
  .files.write.mutate({ sessionId: 'c00000000000000000000000', path: 'a.txt', content: 'x' })
  .then(() => null, (e: unknown) => e);

describe('server errors', () => {
  it('a server that is not there is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await save(`http://127.0.0.1:${port}/api/trpc`);
    expect(err).toBeInstanceOf(TRPCClientError);
    expect(isUnreachable(err)).toBe(true);
  });

  it('a proxy answering 503 is unreachable; a refusal with a code is not', async () => {
    status = 503;
    expect(isUnreachable(await save(`${base}/api/trpc`))).toBe(true);
    status = 409;
    const conflict = await save(`${base}/api/trpc`);
    expect(errorCode(conflict)).toBe('CONFLICT');
    expect(isUnreachable(conflict)).toBe(false);
  });
});
