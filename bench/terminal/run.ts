// Terminal feel and footprint (issue 12): Tether against a lean baseline page (node-pty + `ws` +
// xterm.js, bench/terminal/baseline-server.mjs), driven in the same headless Chromium,
// interleaved, RUNS times; prints min/median/max per metric, the ratio per run, and the load
// average beside each figure.
//   npm run bench:terminal                    (needs `npm run build` and root, for the sandbox)
//   RUNS=3 KEYSTROKES=60 THROUGHPUT_MIB=40,100 SESSION_MARKS=10,100,500 npm run bench:terminal
//   PARTS=echo,prompt RUNS=3 npm run bench:terminal   (only some parts: echo, interrupt, throughput,
//                                                       prompt, renderers, sessions; all by default)
//   ECHO_TRACE=1 PARTS=echo RUNS=1 npm run bench:terminal   (also prints every keystroke's echo, ms)
//   RSS_SETTLE=1 PARTS=throughput npm run bench:terminal   (also the RSS left 60 s after each stream)
//   SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench:terminal   (more node flags for the server)
// Everything it starts it stops; the data dir (and the workspaces in it) is deleted afterwards.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { load, pct, rssMiB, settled, sleep, startBaseline, startTether, typingPause, visibleHost, visibleRows, type System, type Tether } from './systems.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const KEYSTROKES = Number(process.env.KEYSTROKES ?? 60);
const numbers = (list: string) => list.split(',').filter((x) => x.trim()).map(Number);
const THROUGHPUT_MIB = numbers(process.env.THROUGHPUT_MIB ?? '40,100');
const SESSION_MARKS = numbers(process.env.SESSION_MARKS ?? '10,100,500');
/** What a stream leaves 3 s after it is mostly garbage not yet collected: V8 and malloc give it back within a minute. */
const RSS_SETTLE = process.env.RSS_SETTLE === '1';
const PARTS = new Set((process.env.PARTS ?? 'echo,interrupt,throughput,prompt,renderers,sessions').split(','));
/** The screen is still when nothing on it changed for this long. */
const STILL_MS = 1000;
const LINE = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';

// ---------------------------------------------------------------------------------------------
// Measurements in the page

/**
 * Every page: the time of the first WebSocket message after a keydown (`__msgAt`), to split an
 * echo's time between the wire and the page.
 */
function watchSocketMessages() {
  const w = window as unknown as { __t0: number | null; __msgAt: number | null };
  w.__t0 = null; w.__msgAt = null;
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', () => { if (w.__t0 !== null && w.__msgAt === null) w.__msgAt = performance.now(); });
    }
  };
}

/** Keydown → the DOM mutation that shows its echo in the visible terminal, one keystroke at a time. */
async function measureEcho(page: Page, count: number): Promise<number[]> {
  await visibleHost(page).click();
  await page.evaluate(() => {
    const w = window as unknown as { __lat: number[]; __wire: number[]; __t0: number | null; __msgAt: number | null; __obs?: MutationObserver };
    w.__lat = []; w.__wire = []; w.__t0 = null;
    w.__obs?.disconnect();
    document.addEventListener('keydown', () => { w.__t0 = performance.now(); w.__msgAt = null; }, { capture: true });
    const rows = [...document.querySelectorAll('.xterm-rows')].find((r) => (r as HTMLElement).offsetParent !== null)!;
    w.__obs = new MutationObserver(() => {
      if (w.__t0 === null) return;
      w.__lat.push(performance.now() - w.__t0);
      if (w.__msgAt !== null) w.__wire.push(w.__msgAt - w.__t0);
      w.__t0 = null;
    });
    w.__obs.observe(rows, { childList: true, subtree: true, characterData: true });
  });
  for (let i = 0; i < count; i++) {
    const before = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.length);
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForFunction((n) => (window as unknown as { __lat: number[] }).__lat.length > n, before, { timeout: 20_000 });
    await typingPause();
    if (i % 40 === 39) {
      await page.keyboard.press('Control+u');
      await sleep(100);
      await page.evaluate(() => { (window as unknown as { __t0: null }).__t0 = null; });
    }
  }
  await page.keyboard.press('Control+u');
  const { lat, wire } = await page.evaluate(() => {
    const w = window as unknown as { __lat: number[]; __wire: number[] };
    return { lat: w.__lat.slice(), wire: w.__wire.slice() };
  });
  if (wire.length) console.log(`    keydown → first WebSocket message p50 ${pct(wire, 50).toFixed(1)} ms; → echo drawn p50 ${pct(lat, 50).toFixed(1)} ms`);
  if (process.env.ECHO_TRACE) console.log(`    each echo (ms): ${lat.map((ms) => ms.toFixed(0)).join(' ')}`);
  return lat;
}

/** Echo in terminal 1 while terminal 2, hidden behind it, floods. */
async function measureEchoDuringHiddenFlood(system: System, page: Page): Promise<number[]> {
  await system.openSecondTerminal(page);
  await visibleHost(page).click();
  await page.keyboard.type(`yes ${LINE}\n`);
  await sleep(500);
  await system.showTerminal(page, 1);
  const lat = await measureEcho(page, KEYSTROKES);
  await page.close(); // the baseline's pty dies with its socket; Tether's session is stopped below
  return lat;
}

/**
 * Ctrl+C while the visible terminal floods: from the keydown to the last change on screen (the
 * shell's new prompt included) before it stays still for STILL_MS.
 */
async function measureInterrupt(page: Page): Promise<number> {
  await visibleHost(page).click();
  await page.keyboard.type(`yes ${LINE}\n`);
  await sleep(1500);
  await page.evaluate(() => {
    const w = window as unknown as { __ctrlC: number | null; __changed: number };
    w.__ctrlC = null;
    document.addEventListener('keydown', (e) => { if (e.ctrlKey && e.key === 'c') w.__ctrlC ??= performance.now(); }, { capture: true });
    const rows = [...document.querySelectorAll('.xterm-rows')].find((r) => (r as HTMLElement).offsetParent !== null)!;
    w.__changed = performance.now();
    new MutationObserver(() => { w.__changed = performance.now(); }).observe(rows, { childList: true, subtree: true, characterData: true });
  });
  await page.keyboard.press('Control+c');
  await page.waitForFunction((still) => {
    const w = window as unknown as { __ctrlC: number | null; __changed: number };
    return w.__ctrlC !== null && performance.now() - w.__changed > still;
  }, STILL_MS, { polling: 50, timeout: 120_000 });
  return page.evaluate(() => {
    const w = window as unknown as { __ctrlC: number; __changed: number };
    return Math.max(0, w.__changed - w.__ctrlC);
  });
}

/** MiB/s of `yes | head -c` rendered in the visible terminal, and the server's RSS around it. */
async function measureThroughput(system: System, page: Page, mib: number) {
  await visibleHost(page).click();
  const before = rssMiB(system.pid);
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(system.pid)); }, 50);
  await page.keyboard.type(`clear; yes ${LINE} | head -c ${mib * 1024 * 1024}; echo; echo DONE-$((6*7))`);
  const t0 = performance.now();
  await page.keyboard.press('Enter');
  await visibleRows(page).getByText('DONE-42').waitFor({ timeout: 900_000 });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await sleep(3000);
  const after = rssMiB(system.pid);
  if (RSS_SETTLE) await sleep(57_000);
  const settled = RSS_SETTLE ? Math.max(0, rssMiB(system.pid) - before) : null;
  return { mibPerS: mib / seconds, growth: peak - before, left: Math.max(0, after - before), settled };
}

/**
 * In the page: `__prompt` is set to the time a visible terminal first shows a prompt ('$'),
 * checked on every DOM change and every frame (a terminal can be shown without a DOM change
 * inside it), after `__t0` when that is set.
 */
function watchPrompt() {
  const w = window as unknown as { __prompt: number | null; __waitFor?: number | null };
  w.__prompt = null;
  const check = () => {
    if (w.__prompt !== null || w.__waitFor === null) return;
    const rows = [...document.querySelectorAll('.xterm-rows')].find((r) => (r as HTMLElement).offsetParent !== null);
    if (rows?.textContent?.includes('$')) w.__prompt = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  const frame = () => { check(); if (w.__prompt === null) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}

/** Navigation start → a prompt visible in a terminal, for a page load. */
async function promptOnLoad(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  await page.addInitScript(watchPrompt);
  await page.goto(url);
  const ms = await (await page.waitForFunction(() => (window as unknown as { __prompt: number | null }).__prompt, null, { timeout: 30_000 })
    .catch(async (e: unknown) => { await page.screenshot({ path: path.join(tmpdir(), 'bench-terminal-no-prompt.png') }); throw e; })).jsonValue() as number;
  await page.close();
  return ms;
}

/** Tether: "Create session" pressed on the sessions page → the new session's prompt visible. */
async function promptNewSession(context: BrowserContext, tether: Tether): Promise<number> {
  const page = await context.newPage();
  await page.goto(`${tether.url}/`);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(`bench new ${Date.now()}`);
  await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
  await page.evaluate(() => {
    const w = window as unknown as { __t0: number | null; __waitFor: number | null };
    w.__t0 = null; w.__waitFor = null;
    document.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('button')?.textContent === 'Create session') w.__t0 = w.__waitFor = performance.now();
    }, { capture: true });
  });
  await page.evaluate(watchPrompt);
  await page.getByRole('button', { name: 'Create session' }).click();
  const ms = await (await page.waitForFunction(() => {
    const w = window as unknown as { __t0: number | null; __prompt: number | null };
    return w.__prompt !== null && w.__t0 !== null ? w.__prompt - w.__t0 : null;
  }, null, { timeout: 30_000 })).jsonValue() as number;
  const id = new URL(page.url()).pathname.split('/').pop()!;
  tether.sessionIds.push(id);
  await page.close();
  return ms;
}

/** A session whose terminal has been opened and shown once (the visit this bench measures is the next). */
async function existingSession(context: BrowserContext, tether: System): Promise<string> {
  const page = await tether.openTerminalPage(context);
  const url = page.url();
  await page.close();
  return url;
}

// ---------------------------------------------------------------------------------------------
// Sessions at scale

/** Tether: sessions created one after another, each with a terminal open; per-session time and RSS at each mark. */
async function tetherSessions(tether: Tether, marks: number[]) {
  const out: Record<number, { msPerSession: number; rssPerSession: number; load: number }> = {};
  // The base is taken after one session has been made and stopped, so what loads on the first
  // creation (and the garbage of start-up) is not counted per session.
  const warm = await tether.createSession('warm-up');
  await tether.api.mutate('sessions.stop', { id: warm });
  await sleep(2000);
  const base = rssMiB(tether.pid);
  const times: number[] = [];
  for (let n = 1; n <= Math.max(...marks); n++) {
    const t0 = performance.now();
    const id = await tether.createSession(`scale ${n}`);
    times.push(performance.now() - t0);
    const r = await tether.socket.emitWithAck('terminal:open', { sessionId: id, cols: 100, rows: 24 });
    if (!r.ok) throw new Error(r.error);
    if (marks.includes(n)) {
      await sleep(2000);
      // The last (up to) ten creations before the mark: how long one takes at that size.
      const window = times.slice(-Math.min(10, n));
      const r = { msPerSession: window.reduce((a, b) => a + b, 0) / window.length, rssPerSession: (rssMiB(tether.pid) - base) / n, load: load() };
      out[n] = r;
      const sorted = [...window].sort((a, b) => a - b);
      console.log(`  Tether, ${n} sessions: ${r.msPerSession.toFixed(0)} ms per session (of the ten: min ${sorted[0]!.toFixed(0)}, median ${sorted[sorted.length >> 1]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)}), ${r.rssPerSession.toFixed(2)} MiB RSS per session (load ${r.load.toFixed(1)})`);
    }
  }
  return out;
}

/** Baseline: terminals opened one after another (WebSocket + pty → prompt); per-terminal time and RSS. */
async function baselineTerminals(baseline: System, marks: number[]) {
  const out: Record<number, { msPerSession: number; rssPerSession: number; load: number }> = {};
  const base = rssMiB(baseline.pid);
  const sockets: WebSocket[] = [];
  const times: number[] = [];
  try {
    for (let n = 1; n <= Math.max(...marks); n++) {
      const t0 = performance.now();
      const ws = new WebSocket(baseline.url.replace('http', 'ws'));
      sockets.push(ws);
      await new Promise<void>((resolve, reject) => { ws.on('message', (m) => { if (m.toString().includes('$')) resolve(); }); ws.on('error', reject); });
      times.push(performance.now() - t0);
      if (marks.includes(n)) {
        await sleep(2000);
        const window = times.slice(-Math.min(10, n));
        const r = { msPerSession: window.reduce((a, b) => a + b, 0) / window.length, rssPerSession: (rssMiB(baseline.pid) - base) / n, load: load() };
        out[n] = r;
        console.log(`  baseline, ${n} terminals: ${r.msPerSession.toFixed(1)} ms per terminal, ${r.rssPerSession.toFixed(2)} MiB RSS per terminal (load ${r.load.toFixed(1)})`);
      }
    }
  } finally {
    sockets.forEach((s) => s.close());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run

type Sample = { tether: number; baseline: number; loadT: number; loadB: number };
const results = new Map<string, Sample[]>();
function record(metric: string, tether: number, baseline: number, loadT: number, loadB: number) {
  const list = results.get(metric) ?? [];
  list.push({ tether, baseline, loadT, loadB });
  results.set(metric, list);
  console.log(`  ${metric}: Tether ${tether.toFixed(1)} (load ${loadT.toFixed(1)}), baseline ${baseline.toFixed(1)} (load ${loadB.toFixed(1)}), ratio ${(tether / baseline).toFixed(2)}`);
}

/** Measures one metric on both systems, the order alternating by run so neither always goes first. */
async function both<T>(run: number, f: (s: 'tether' | 'baseline') => Promise<T>): Promise<{ tether: T; baseline: T; loadT: number; loadB: number }> {
  const order: ('tether' | 'baseline')[] = run % 2 ? ['baseline', 'tether'] : ['tether', 'baseline'];
  const got: Partial<Record<'tether' | 'baseline', { v: T; load: number }>> = {};
  for (const s of order) {
    const l = load();
    got[s] = { v: await f(s), load: (l + load()) / 2 };
  }
  return { tether: got.tether!.v, baseline: got.baseline!.v, loadT: got.tether!.load, loadB: got.baseline!.load };
}

const fmt3 = (xs: number[], digits: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(digits)} / ${s[Math.floor(s.length / 2)]!.toFixed(digits)} / ${s[s.length - 1]!.toFixed(digits)}`;
};

async function main() {
  console.log(`bench:terminal — ${RUNS} runs, ${KEYSTROKES} keystrokes per echo figure, load ${load().toFixed(1)} at start`);
  const [tether, baseline] = [await startTether(), await startBaseline()];
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // tsx compiles this file with esbuild's keepNames: functions sent to the page call its `__name`.
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await context.addInitScript(watchSocketMessages);
    // Tether draws with xterm's DOM renderer here, as the baseline does (and the bench reads its
    // text); the renderer run below sets WebGL for one page at a time.
    const useRenderer = (renderer: string) => context.addInitScript((r) => localStorage.setItem('tether.terminal', JSON.stringify({ cursorBlink: false, renderer: r })), renderer);
    await useRenderer('dom');
    const [name, value] = tether.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: tether.url }]);
    const sys = { tether, baseline };
    const webgl = await (async () => {
      const p = await context.newPage();
      const ok = await p.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
      await p.close();
      return ok;
    })();
    console.log(`WebGL2 in this Chromium: ${webgl ? 'yes' : 'no'}`);

    for (let run = 0; run < RUNS; run++) {
      console.log(`run ${run + 1} of ${RUNS}`);
      if (PARTS.has('echo')) {
        const echo = await both(run, async (s) => {
          const page = await sys[s].openTerminalPage(context);
          const idle = await measureEcho(page, KEYSTROKES);
          const flood = await measureEchoDuringHiddenFlood(sys[s], page);
          return { idle, flood };
        });
        record('echo p50, idle (ms)', pct(echo.tether.idle, 50), pct(echo.baseline.idle, 50), echo.loadT, echo.loadB);
        record('echo p95, idle (ms)', pct(echo.tether.idle, 95), pct(echo.baseline.idle, 95), echo.loadT, echo.loadB);
        record('echo p50, flood in a hidden tab (ms)', pct(echo.tether.flood, 50), pct(echo.baseline.flood, 50), echo.loadT, echo.loadB);
        record('echo p95, flood in a hidden tab (ms)', pct(echo.tether.flood, 95), pct(echo.baseline.flood, 95), echo.loadT, echo.loadB);
        // Stops the flood (and every process of the session).
        await tether.api.mutate('sessions.stop', { id: tether.sessionIds.at(-1) });
      }

      if (PARTS.has('interrupt')) {
        const stop = await both(run, async (s) => {
          const page = await sys[s].openTerminalPage(context);
          try { return await measureInterrupt(page); } finally { await page.close(); }
        });
        record('Ctrl+C in a flood → screen still (ms)', stop.tether, stop.baseline, stop.loadT, stop.loadB);
      }

      for (const mib of PARTS.has('throughput') ? THROUGHPUT_MIB : []) {
        const t = await both(run, async (s) => {
          const page = await sys[s].openTerminalPage(context);
          try { return await measureThroughput(sys[s], page, mib); } finally { await page.close(); }
        });
        record(`throughput, ${mib} MiB rendered (MiB/s)`, t.tether.mibPerS, t.baseline.mibPerS, t.loadT, t.loadB);
        record(`server RSS growth during ${mib} MiB (MiB)`, t.tether.growth, t.baseline.growth, t.loadT, t.loadB);
        record(`server RSS left 3 s after ${mib} MiB (MiB)`, t.tether.left, t.baseline.left, t.loadT, t.loadB);
        if (t.tether.settled !== null && t.baseline.settled !== null) {
          record(`server RSS left 60 s after ${mib} MiB (MiB)`, t.tether.settled, t.baseline.settled, t.loadT, t.loadB);
        }
      }

      if (PARTS.has('prompt')) {
        const prompts = await both(run, async (s) => s === 'tether'
          ? { fresh: await promptNewSession(context, tether), existing: await promptOnLoad(context, await existingSession(context, tether)) }
          : { fresh: await promptOnLoad(context, baseline.url), existing: await promptOnLoad(context, baseline.url) });
        record('prompt visible, new session (ms)', prompts.tether.fresh, prompts.baseline.fresh, prompts.loadT, prompts.loadB);
        record('prompt visible, existing session (ms)', prompts.tether.existing, prompts.baseline.existing, prompts.loadT, prompts.loadB);
      }

      if (webgl && PARTS.has('renderers')) {
        // Tether's own renderers side by side: the setting is read when a terminal is built.
        const r = await both(run, async (s) => {
          await useRenderer(s === 'tether' ? 'webgl' : 'dom');
          // The WebGL renderer draws on a canvas: no DOM text to wait for, so wait for its input box.
          const id = await tether.createSession(`renderer ${s}`);
          tether.sessionIds.push(id);
          const page = await context.newPage();
          await page.goto(`${tether.url}/sessions/${id}`);
          await visibleHost(page).locator('.xterm-helper-textarea').waitFor({ state: 'attached', timeout: 30_000 });
          await settled(page, page.getByRole('region', { name: 'Editor' }));
          try { return await measureEchoCanvas(page, KEYSTROKES); } finally { await page.close(); }
        });
        await useRenderer('dom');
        record('Tether WebGL vs DOM renderer: echo p50 (ms), WebGL in the Tether column', pct(r.tether, 50), pct(r.baseline, 50), r.loadT, r.loadB);
      }
      // Sessions made for this run are stopped: their shells would otherwise idle through the next.
      for (const id of tether.sessionIds.splice(0)) await tether.api.mutate('sessions.stop', { id });
    }

    if (PARTS.has('sessions') && SESSION_MARKS.length) {
      console.log('sessions at scale (once: it creates the largest count)');
      const ts = await tetherSessions(tether, SESSION_MARKS);
      const bs = await baselineTerminals(baseline, SESSION_MARKS);
      for (const n of SESSION_MARKS) {
        results.set(`creation time per session at ${n} (ms)`, [{ tether: ts[n]!.msPerSession, baseline: bs[n]!.msPerSession, loadT: ts[n]!.load, loadB: bs[n]!.load }]);
        results.set(`server RSS per session at ${n} (MiB)`, [{ tether: ts[n]!.rssPerSession, baseline: bs[n]!.rssPerSession, loadT: ts[n]!.load, loadB: bs[n]!.load }]);
      }
      const first = SESSION_MARKS[0]!;
      console.log(`  creation time flatness, Tether: ${SESSION_MARKS.map((n) => `${n}: ${(ts[n]!.msPerSession / ts[first]!.msPerSession).toFixed(2)}×`).join(', ')} of the ${first}-session figure`);
    }
  } finally {
    await browser?.close();
    await tether.stop();
    await baseline.stop();
  }

  console.log('\n| Metric | Tether min / median / max | Baseline min / median / max | Ratio per run | Load (Tether / baseline) per run |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [metric, samples] of results) {
    const digits = metric.includes('MiB)') || metric.includes('MiB/s') ? 2 : 1;
    console.log(`| ${metric} | ${fmt3(samples.map((s) => s.tether), digits)} | ${fmt3(samples.map((s) => s.baseline), digits)} | ${samples.map((s) => (s.tether / s.baseline).toFixed(2)).join(', ')} | ${samples.map((s) => `${s.loadT.toFixed(1)} / ${s.loadB.toFixed(1)}`).join(', ')} |`);
  }
}

/** Echo for renderers without DOM rows (WebGL): keydown → xterm moves its input textarea to the new cursor cell. */
async function measureEchoCanvas(page: Page, count: number): Promise<number[]> {
  await visibleHost(page).click();
  await page.evaluate(() => {
    const w = window as unknown as { __lat: number[]; __t0: number | null };
    w.__lat = []; w.__t0 = null;
    document.addEventListener('keydown', () => { w.__t0 = performance.now(); }, { capture: true });
    const area = [...document.querySelectorAll('.xterm-helper-textarea')].find((t) => (t as HTMLElement).closest('.terminal-host:not([hidden])'))!;
    new MutationObserver(() => { if (w.__t0 !== null) { w.__lat.push(performance.now() - w.__t0); w.__t0 = null; } })
      .observe(area, { attributes: true, attributeFilter: ['style'] });
  });
  for (let i = 0; i < count; i++) {
    const before = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.length);
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForFunction((n) => (window as unknown as { __lat: number[] }).__lat.length > n, before, { timeout: 20_000 });
    await typingPause();
    if (i % 40 === 39) { await page.keyboard.press('Control+u'); await sleep(100); await page.evaluate(() => { (window as unknown as { __t0: null }).__t0 = null; }); }
  }
  return page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.slice());
}

await main();
process.exit(0);
