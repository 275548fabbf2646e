// The worker thread behind bounded-regex.ts: one request at a time, answered in order.
import { parentPort } from 'node:worker_threads';
import { matchLines, replaceLines } from './line-regex.mjs';

parentPort?.on('message', (/** @type {any} */ req) => {
  try {
    const value = req.op === 'match'
      ? matchLines(req.text, req.source, req.flags)
      : replaceLines(req.text, req.source, req.flags, req.replacement, req.regex);
    parentPort?.postMessage({ id: req.id, value });
  } catch (err) {
    parentPort?.postMessage({ id: req.id, error: String(/** @type {Error} */ (err).message ?? err) });
  }
});
