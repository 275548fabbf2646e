// Where the IDE page's time goes, for the terminal (issue 12). Not a benchmark: a probe that
// prints what the page's main thread does while someone types, and the order in which a session
// page loads what it loads, so a change can be checked against the cause it was meant to remove.
//   node --import tsx bench/terminal/profile.ts echo     (needs `npm run build` and root)
//   node --import tsx bench/terminal/profile.ts load   (an existing session's page load)
//   node --import tsx bench/terminal/profile.ts new    ("Create session" pressed → the new session's prompt)
// KEYSTROKES (default 40) sets the typing; TRACE=path keeps the Chrome trace (open it in DevTools).
import { writeFileSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { pct, settled, sleep, startTether, typingPause, visibleHost, visibleRows, type Tether } from './systems.ts';

const KEYSTROKES = Number(process.env.KEYSTROKES ?? 40);
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing', 'toplevel', 'disabled-by-default-v8.cpu_profiler'];

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: Record<string, unknown>; cat?: string; id?: string }

/** The page's renderer main thread: the busiest one (a navigation may have moved the page to a new renderer). */
function mainThread(events: TraceEvent[]) {
  const named = events.filter((e) => e.name === 'thread_name' && (e.args as { name?: string })?.name === 'CrRendererMain');
  const busy = new Map<string, number>();
  for (const t of named) busy.set(`${t.pid}:${t.tid}`, 0);
  for (const e of events) {
    const k = `${e.pid}:${e.tid}`;
    if (busy.has(k) && e.ph === 'X' && e.dur) busy.set(k, busy.get(k)! + e.dur);
  }
  const [best] = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]!;
  return events.filter((e) => `${e.pid}:${e.tid}` === best);
}

/** Total and count per event name (complete events), what the main thread spent its time on. */
function byName(events: TraceEvent[], windowMs: number) {
  const sums = new Map<string, { ms: number; n: number }>();
  for (const e of events) {
    if (e.ph !== 'X' || !e.dur) continue;
    let name = e.name;
    if (name === 'EventDispatch') name += ` ${(e.args?.data as { type?: string })?.type}`;
    if (name === 'TimerFire' || name === 'FunctionCall') {
      const d = e.args?.data as { functionName?: string; url?: string; lineNumber?: number } | undefined;
      if (d?.url) name += ` ${d.functionName || '(anonymous)'} ${d.url.split('/').pop()}:${d.lineNumber ?? ''}`;
    }
    const s = sums.get(name) ?? { ms: 0, n: 0 };
    s.ms += e.dur / 1000; s.n++;
    sums.set(name, s);
  }
  const rows = [...sums.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30);
  console.log(`  main thread over ${(windowMs / 1000).toFixed(1)} s (nested events overlap):`);
  for (const [name, s] of rows) console.log(`    ${s.ms.toFixed(1).padStart(8)} ms  ${String(s.n).padStart(5)}×  ${name}`);
}

/** Self time per JS function from the trace's CPU profile samples. */
function profileSelfTime(events: TraceEvent[]) {
  const nodes = new Map<number, { name: string; parent?: number }>();
  const self = new Map<string, number>();
  for (const e of events) {
    if (e.name !== 'ProfileChunk') continue;
    const d = (e.args?.data as { cpuProfile?: { nodes?: { id: number; parent?: number; callFrame: { functionName: string; url?: string; lineNumber: number } }[]; samples?: number[] }; timeDeltas?: number[] }) ?? {};
    for (const n of d.cpuProfile?.nodes ?? []) nodes.set(n.id, { name: `${n.callFrame.functionName || '(anonymous)'} ${(n.callFrame.url ?? '').split('/').pop()}:${n.callFrame.lineNumber}`, parent: n.parent });
    const samples = d.cpuProfile?.samples ?? [];
    const deltas = d.timeDeltas ?? [];
    samples.forEach((id, i) => {
      const name = nodes.get(id)?.name ?? String(id);
      self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
    });
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log('  JS self time (sampled):');
  for (const [name, ms] of rows) console.log(`    ${ms.toFixed(1).padStart(8)} ms  ${name}`);
}

async function traced(page: Page, label: string, work: () => Promise<void>) {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: CATEGORIES });
  const t0 = Date.now();
  await work();
  const ms = Date.now() - t0;
  const buffer = await browser.stopTracing();
  if (process.env.TRACE) writeFileSync(`${process.env.TRACE}.${label}.json`, buffer);
  const events = (JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  console.log(`${label}:`);
  const main = mainThread(events);
  byName(main, ms);
  profileSelfTime(events);
}

async function typeAndMeasure(page: Page, count: number) {
  await page.evaluate(() => {
    const w = window as unknown as { __lat: number[]; __t0: number | null };
    w.__lat = []; w.__t0 = null;
    document.addEventListener('keydown', () => { w.__t0 = performance.now(); }, { capture: true });
    const rows = [...document.querySelectorAll('.xterm-rows')].find((r) => (r as HTMLElement).offsetParent !== null)!;
    new MutationObserver(() => { if (w.__t0 !== null) { w.__lat.push(performance.now() - w.__t0); w.__t0 = null; } })
      .observe(rows, { childList: true, subtree: true, characterData: true });
  });
  for (let i = 0; i < count; i++) {
    const before = await page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.length);
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForFunction((n) => (window as unknown as { __lat: number[] }).__lat.length > n, before, { timeout: 20_000 });
    await typingPause();
    if (i % 40 === 39) await page.keyboard.press('Control+u');
  }
  await page.keyboard.press('Control+u');
  return page.evaluate(() => (window as unknown as { __lat: number[] }).__lat.slice());
}

async function echo(tether: Tether, page: Page) {
  const id = await tether.createSession('profile echo');
  await page.goto(`${tether.url}/sessions/${id}`);
  await visibleRows(page).getByText('$').first().waitFor({ timeout: 30_000 });
  await settled(page, page.getByRole('region', { name: 'Editor' }));
  await traced(page, 'idle, 3 s', () => sleep(3000));
  await visibleHost(page).click();
  let lat: number[] = [];
  await traced(page, `typing, ${KEYSTROKES} keystrokes`, async () => { lat = await typeAndMeasure(page, KEYSTROKES); });
  console.log(`echo p50 ${pct(lat, 50).toFixed(1)} ms, p95 ${pct(lat, 95).toFixed(1)} ms (traced: slower than untraced)`);
}

/**
 * The page's load as a waterfall: requests (resource timing), Socket.IO messages each way by
 * event name, and the moment a prompt is visible, all in ms since navigation start.
 */
function watchLoad() {
  const w = window as unknown as { __log: [number, string][] };
  w.__log = [];
  const note = (what: string) => w.__log.push([performance.now(), what]);
  const name = (frame: unknown) => {
    if (typeof frame !== 'string') return 'binary';
    const m = /^4[23]\d*(\[".*?")?/.exec(frame);
    return m ? (m[1] ?? 'ack') : `engine ${frame.slice(0, 1)}`;
  };
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      note('ws created');
      this.addEventListener('open', () => note('ws open'));
      this.addEventListener('message', (e) => note(`ws ← ${name(e.data)}`));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView) { note(`ws → ${name(data)}`); super.send(data); }
  };
  let prompt = false;
  const check = () => {
    if (prompt) return;
    const rows = [...document.querySelectorAll('.xterm-rows')].find((r) => (r as HTMLElement).offsetParent !== null);
    if (rows?.textContent?.includes('$')) { prompt = true; note('PROMPT VISIBLE'); }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('DOMContentLoaded', () => note('DOMContentLoaded'));
  window.addEventListener('load', () => note('load'));
  new PerformanceObserver((l) => l.getEntries().forEach((e) => note(`${e.entryType} ${e.name}`))).observe({ type: 'paint', buffered: true });
}

async function loadOrder(tether: Tether, page: Page) {
  const id = await tether.createSession('profile load');
  // The first visit opens the terminal; the one measured is the next, as the bench's "existing session".
  await page.goto(`${tether.url}/sessions/${id}`);
  await visibleRows(page).getByText('$').first().waitFor({ timeout: 30_000 });
  await settled(page, page.getByRole('region', { name: 'Editor' }));
  const next = await page.context().newPage();
  await page.close();
  await next.addInitScript(watchLoad);
  await traced(next, 'existing session page load', async () => {
    await next.goto(`${tether.url}/sessions/${id}`);
    await visibleRows(next).getByText('$').first().waitFor({ timeout: 30_000 });
    await sleep(500);
  });
  const { log, resources, nav } = await next.evaluate(() => ({
    log: (window as unknown as { __log: [number, string][] }).__log,
    resources: performance.getEntriesByType('resource').map((r) => [r.startTime, `${r.name.replace(location.origin, '')} (${(r as PerformanceResourceTiming).responseEnd.toFixed(0)} end, ${(r as PerformanceResourceTiming).transferSize} B)`] as [number, string]),
    nav: (() => { const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming; return [[n.requestStart, 'document requested'], [n.responseStart, 'document first byte'], [n.responseEnd, 'document received']] as [number, string][]; })(),
  }));
  printOrder('load order (ms since navigation start):', [...nav, ...resources.map(([t, w]) => [t, `request ${w}`] as [number, string]), ...log], 0);
}

function printOrder(title: string, entries: [number, string][], t0: number) {
  console.log(title);
  for (const [t, what] of entries.sort((a, b) => a[0] - b[0])) console.log(`  ${(t - t0).toFixed(0).padStart(6)}  ${what}`);
}

/** A new session from the sessions page, as the bench's "new session": what happens between the click and the prompt. */
async function newSessionOrder(tether: Tether, page: Page) {
  await page.addInitScript(watchLoad);
  await page.goto(`${tether.url}/`);
  await page.getByRole('button', { name: 'New session' }).click();
  await page.getByLabel('Title').fill(`profile new ${Date.now()}`);
  await page.getByRole('radio', { name: 'Node/TypeScript template' }).check();
  await page.evaluate(() => {
    const w = window as unknown as { __log: [number, string][]; __t0: number };
    document.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('button')?.textContent === 'Create session') { w.__t0 = performance.now(); w.__log.push([w.__t0, 'Create session pressed']); }
    }, { capture: true });
  });
  await traced(page, 'new session', async () => {
    await page.getByRole('button', { name: 'Create session' }).click();
    await visibleRows(page).getByText('$').first().waitFor({ timeout: 30_000 });
    await sleep(500);
  });
  const { log, t0, resources } = await page.evaluate(() => {
    const w = window as unknown as { __log: [number, string][]; __t0: number };
    return {
      log: w.__log, t0: w.__t0,
      resources: performance.getEntriesByType('resource').filter((r) => r.startTime >= w.__t0)
        .map((r) => [r.startTime, `request ${r.name.replace(location.origin, '').slice(0, 100)} (${((r as PerformanceResourceTiming).responseEnd - w.__t0).toFixed(0)} end)`] as [number, string]),
    };
  });
  printOrder('order (ms since "Create session" was pressed):', [...log.filter(([t]) => t >= t0), ...resources], t0);
}

async function main() {
  const what = process.argv[2] ?? 'echo';
  const tether = await startTether();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await context.addInitScript((r) => localStorage.setItem('tether.terminal', JSON.stringify({ cursorBlink: false, renderer: r })), process.env.RENDERER ?? 'dom');
    const [name, value] = tether.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: tether.url }]);
    const page = await context.newPage();
    if (what === 'load') await loadOrder(tether, page);
    else if (what === 'new') await newSessionOrder(tether, page);
    else await echo(tether, page);
  } finally {
    await browser.close();
    await tether.stop();
  }
}

await main();
process.exit(0);
