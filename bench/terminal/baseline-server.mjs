// The lean baseline for bench/terminal/run.ts: node-pty + `ws` + xterm.js, nothing else. One
// WebSocket per terminal, pty output sent as it comes (no batching, no flow control), keystrokes
// written as they come; the page is baseline.html with the cursor blink off and the DOM renderer.
//   node bench/terminal/baseline-server.mjs PORT     (prints "listening" when ready)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import pty from 'node-pty';
import { WebSocketServer } from 'ws';

const root = path.resolve(import.meta.dirname, '../..');
const files = {
  '/': ['bench/terminal/baseline.html', 'text/html'],
  '/xterm.js': ['node_modules/@xterm/xterm/lib/xterm.js', 'text/javascript'],
  '/xterm.css': ['node_modules/@xterm/xterm/css/xterm.css', 'text/css'],
};

const server = createServer((req, res) => {
  const file = files[new URL(req.url, 'http://x').pathname];
  if (!file) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': file[1] }).end(readFileSync(path.join(root, file[0])));
});

new WebSocketServer({ server }).on('connection', (ws) => {
  const shell = pty.spawn('/bin/bash', ['--norc', '-i'], {
    cols: 100, rows: 24, cwd: '/tmp',
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', TERM: 'xterm-256color', PS1: '\\w $ ' },
  });
  shell.onData((d) => ws.send(d));
  ws.on('message', (m) => {
    const text = m.toString();
    if (text.startsWith('\x00resize:')) {
      const [cols, rows] = text.slice(8).split(',').map(Number);
      shell.resize(cols, rows);
    } else shell.write(text);
  });
  ws.on('close', () => shell.kill());
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log('listening'));
