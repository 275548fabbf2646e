// Event fan-out across instances: an event appended on instance A, received by a Socket.IO client
// following the session on instance B (the same socket code a browser tab runs, without the page's
// rendering). Two real servers over the local PostgreSQL and Redis.
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 \
//     node --import tsx bench/scale/fanout.ts            (EVENTS=500 by default)
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { io as connect } from 'socket.io-client';
import { setupAdminAndMember, startTestApp } from '../../test/support/app.ts';
import type { SessionEvent } from '../../server/sessions/event-types.ts';

const EVENTS = Number(process.env.EVENTS ?? 500);
const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!process.env.TEST_DATABASE_URL) throw new Error('set TEST_DATABASE_URL (PostgreSQL)');
const common = { REDIS_URL: redis, TETHER_REDIS_PREFIX: `tether-bench:${randomBytes(4).toString('hex')}:` };
const a = await startTestApp('postgres', { ...common, TETHER_INSTANCE_ID: 'bench-a' });
const b = await startTestApp('postgres', { ...common, TETHER_INSTANCE_ID: 'bench-b' }, { testDb: a.testDb });
try {
  const people = await setupAdminAndMember(a);
  const sessionId = ((await people.member.mutate('sessions.create', { title: 'fan-out' })).data as { id: string }).id;
  const member = await a.testDb.db.user.findFirstOrThrow({ where: { email: 'member@example.test' } });
  const socket = connect(b.url, { path: '/socket.io', transports: ['websocket'], forceNew: true, extraHeaders: { cookie: people.memberCookie, origin: b.url } });
  await new Promise<void>((resolve, reject) => { socket.on('connect', resolve); socket.on('connect_error', reject); });
  const arrived = new Map<number, number>();
  let wake: (() => void) | null = null;
  socket.on('session:event', (e: SessionEvent) => { arrived.set(e.seq, performance.now()); wake?.(); });
  await socket.emitWithAck('session:follow', { sessionId, afterSeq: 0 });
  const latencies: number[] = [];
  const load = loadavg()[0]!;
  for (let i = 0; i < EVENTS; i++) {
    const sent = performance.now();
    const e = await a.services.events.append(sessionId, { type: 'user.message', payload: { text: `m${i}` } }, { kind: 'user', id: member.id });
    while (!arrived.has(e.seq)) await new Promise<void>((r) => { wake = r; });
    latencies.push(arrived.get(e.seq)! - sent);
  }
  socket.close();
  latencies.sort((x, y) => x - y);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
  console.log(`append on A → received on B, ${EVENTS} events: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms (load avg ${load.toFixed(2)} at start)`);
} finally {
  await b.close();
  await a.close();
}
