// Keystroke → echo without a browser: a Socket.IO client against Tether (through the server and
// the workspace host), a `ws` client against the lean baseline (its pty in the same process).
// Splits bench:terminal's echo between the wire and the page.
//   node --import tsx bench/terminal/wire-echo.ts [keystrokes=200]     (needs `npm run build` and root)
import WebSocket from 'ws';
import type { TerminalData } from '../../server/realtime/protocol.ts';
import { pct, sleep, startBaseline, startTether } from './systems.ts';

const N = Number(process.argv[2] ?? 200);
const CTRL_U = '\x15';

/** Types N keys one at a time through `send`; `arrived` resolves when output holds the key. */
async function echoes(send: (data: string) => void, onOutput: (listener: ((text: string) => void) | null) => void): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    const arrived = new Promise<void>((resolve) => onOutput((text) => { if (text.includes(key)) { onOutput(null); resolve(); } }));
    const t0 = performance.now();
    send(key);
    await arrived;
    times.push(performance.now() - t0);
    if (i % 40 === 39) { send(CTRL_U); await sleep(50); }
    await sleep(10);
  }
  return times;
}

const report = (name: string, t: number[]) => console.log(`${name}: echo p50 ${pct(t, 50).toFixed(2)} ms, p95 ${pct(t, 95).toFixed(2)} ms`);

const tether = await startTether();
try {
  const sessionId = await tether.createSession('wire echo');
  const opened = await tether.socket.emitWithAck('terminal:open', { sessionId, cols: 100, rows: 24 });
  if (!opened.ok) throw new Error(opened.error);
  const ids = { sessionId, terminalId: opened.terminal.id };
  let listener: ((text: string) => void) | null = null;
  tether.socket.on('terminal:data', (d: TerminalData) => { if (d.terminalId === ids.terminalId) listener?.(d.data); });
  await tether.socket.emitWithAck('terminal:attach', { ...ids, fromOffset: null });
  await sleep(1500);
  report('Tether (Socket.IO client)', await echoes((data) => tether.socket.emit('terminal:input', { ...ids, data }), (l) => { listener = l; }));
} finally {
  await tether.stop();
}

const baseline = await startBaseline();
try {
  const ws = new WebSocket(baseline.url.replace(/^http/, 'ws'));
  await new Promise((resolve) => ws.once('open', resolve));
  let listener: ((text: string) => void) | null = null;
  ws.on('message', (m) => listener?.(m.toString()));
  await sleep(1000);
  report('baseline (ws client)', await echoes((data) => ws.send(data), (l) => { listener = l; }));
  ws.close();
} finally {
  await baseline.stop();
}
process.exit(0);
