// Server memory under anonymous 100 MB POSTs to /api/trpc/auth.login (issue 8 §3).
//   node --import tsx bench/request-body.ts
// Starts the API server (no Next.js) in a child process on SQLite, then sends one and then five
// parallel 100 MB bodies, with Content-Length and chunked, sampling the child's RSS every 10 ms.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startTestApp } from '../test/support/app.ts';

const BODY_BYTES = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

if (process.argv[2] === 'serve') {
  const app = await startTestApp('sqlite');
  process.stdout.write(`${app.url}\n`);
} else {
  await main();
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

function post(url: string, chunked: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = request(`${url}/api/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(BODY_BYTES) }) },
    }, (res) => { resolve(res.statusCode ?? 0); res.resume(); req.destroy(); });
    req.on('error', () => resolve(0));
    let sent = 0;
    const pump = () => {
      while (sent < BODY_BYTES && !req.destroyed) {
        sent += CHUNK.length;
        if (!req.write(CHUNK)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

async function main() {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // The child's stdout also carries its log lines: the URL is the line that starts with http.
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://'));
      if (line) resolve(line.trim());
    });
  });
  await new Promise((r) => setTimeout(r, 2000));
  const baseline = rssMiB(child.pid!);
  console.log(`server RSS at idle: ${baseline} MiB`);
  for (const parallel of [1, 5]) {
    for (const chunked of [false, true]) {
      let peak = rssMiB(child.pid!);
      const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(child.pid!)); }, 10);
      const statuses = await Promise.all(Array.from({ length: parallel }, () => post(url, chunked)));
      await new Promise((r) => setTimeout(r, 200));
      clearInterval(sampler);
      console.log(`${parallel} × 100 MB ${chunked ? 'chunked' : 'with Content-Length'}: peak RSS ${peak} MiB, statuses ${statuses.join(',')}`);
    }
  }
  child.kill();
}
