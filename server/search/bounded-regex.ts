// A person's regular expression runs in a worker thread with a time limit: a pattern that
// backtracks catastrophically (`(a+)+$` on a long line) would otherwise hold the server's event
// loop, and every session on it, for as long as it runs. ripgrep's engine is linear and runs in
// the sandbox; this covers the JS fallback and replacing, which need JavaScript's semantics.
import { Worker } from 'node:worker_threads';
import type { LineMatches, ReplacedText } from './line-regex.mjs';

/** One file's matching may take this long before the search gives up on the pattern. */
export const REGEX_TIME_LIMIT_MS = 3_000;

export class RegexTimeoutError extends Error {
  constructor(limitMs: number) {
    super(`the regular expression ran for over ${limitMs / 1000} s on one file; simplify it (nested repetition such as (a+)+ backtracks without end)`);
  }
}

type Request =
  | { op: 'match'; text: string; source: string; flags: string }
  | { op: 'replace'; text: string; source: string; flags: string; replacement: string; regex: boolean };

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; limitMs: number }

let worker: Worker | null = null;
let nextId = 0;
/** In the order sent; the worker answers in that order, so only the head is running. */
const pending = new Map<number, Pending>();
let headTimer: NodeJS.Timeout | null = null;

/** The limit counts from when a request starts running, not while it waits behind another. */
function timeHead(w: Worker) {
  if (headTimer) clearTimeout(headTimer);
  headTimer = null;
  const head = pending.values().next();
  if (head.done) return;
  const { limitMs } = head.value;
  headTimer = setTimeout(() => {
    // The only way to stop a running RegExp is to stop its thread; whatever was queued behind it
    // fails too, and the next call starts a fresh worker.
    if (worker === w) worker = null;
    failAll(new RegexTimeoutError(limitMs));
    void w.terminate();
  }, limitMs);
}

function failAll(err: Error) {
  if (headTimer) clearTimeout(headTimer);
  headTimer = null;
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function theWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./regex-worker.mjs', import.meta.url));
  // Idle between searches: the server may exit while it waits.
  w.unref();
  w.on('message', (m: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    timeHead(w);
    if (m.error !== undefined) p.reject(new Error(`invalid regular expression: ${m.error}`));
    else p.resolve(m.value);
  });
  w.on('error', (err) => { if (worker === w) worker = null; failAll(err); });
  w.on('exit', () => { if (worker === w) worker = null; });
  worker = w;
  return w;
}

function run<T>(req: Request, limitMs: number): Promise<T> {
  const w = theWorker();
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, limitMs });
    if (pending.size === 1) timeHead(w);
    w.postMessage({ id, ...req });
  });
}

export function matchLinesBounded(text: string, source: string, flags: string, limitMs = REGEX_TIME_LIMIT_MS): Promise<LineMatches[]> {
  return run({ op: 'match', text, source, flags }, limitMs);
}

export function replaceLinesBounded(text: string, source: string, flags: string, replacement: string, regex: boolean, limitMs = REGEX_TIME_LIMIT_MS): Promise<ReplacedText | null> {
  return run({ op: 'replace', text, source, flags, replacement, regex }, limitMs);
}
