// A loopback model server for tests that speaks the real wire protocols — OpenAI Chat
// Completions and Anthropic Messages, streaming (SSE) and not — and replays a script of turns.
// The app's real AI SDK provider clients talk to it through OPENAI_BASE_URL / ANTHROPIC_BASE_URL,
// and tests assert on the requests it recorded (messages, tool results the client sent back).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptedToolCall { id?: string; name: string; input: unknown }

/** One model response. */
export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { input: number; output: number };
  /** Before the response headers. */
  delayMs?: number;
  /** Text is streamed in pieces of this many characters (default 8). */
  chunkSize?: number;
  /** A pause between streamed events, so a test can watch a reply arrive piece by piece. */
  chunkDelayMs?: number;
  /** Cut the connection after this many SSE events (a mid-stream failure). */
  dropAfterEvents?: number;
}

export type ScriptedFailure =
  | { fail: 'http'; status: number; message?: string; delayMs?: number }
  /** Destroy the socket before any response: a connection error. */
  | { fail: 'drop' }
  /** Never answer: the client's timeout or abort decides. */
  | { fail: 'hang' };

export type ScriptedTurn = ScriptedReply | ScriptedFailure;

export interface RecordedRequest {
  protocol: 'openai' | 'anthropic';
  path: string;
  model: string;
  stream: boolean;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface ScriptedModelServer {
  /** Origin, e.g. http://127.0.0.1:1234. */
  url: string;
  /** What to use as OPENAI_BASE_URL / ANTHROPIC_BASE_URL. */
  baseUrl: string;
  /** Queue turns for requests naming `model`; without a model, for any model with no own queue. */
  script(turns: ScriptedTurn[]): void;
  script(model: string, turns: ScriptedTurn[]): void;
  readonly requests: RecordedRequest[];
  /** Turns not yet consumed, over every queue. */
  pending(): number;
  close(): Promise<void>;
}

const ANY = '*';

/** `port`: a fixed loopback port, for an app started before the test that names it in OPENAI_BASE_URL. */
export async function startScriptedModelServer(o: { port?: number } = {}): Promise<ScriptedModelServer> {
  const queues = new Map<string, ScriptedTurn[]>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let callCounter = 0;

  const nextTurn = (model: string): ScriptedTurn | undefined => queues.get(model)?.shift() ?? queues.get(ANY)?.shift();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const protocol = req.url === '/v1/chat/completions' ? 'openai' : req.url === '/v1/messages' ? 'anthropic' : null;
    if (req.method !== 'POST' || !protocol) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const model = String(body.model ?? '');
    const stream = body.stream === true;
    requests.push({ protocol, path: req.url ?? '', model, stream, headers: req.headers, body });
    const turn = nextTurn(model) ?? { fail: 'http', status: 500, message: `scripted model server: no turn left for model ${model}` };

    if ('fail' in turn) {
      if (turn.fail === 'drop') { req.socket.destroy(); return; }
      if (turn.fail === 'hang') return;
      if (turn.delayMs) await sleep(turn.delayMs);
      const message = turn.message ?? `scripted failure ${turn.status}`;
      res.writeHead(turn.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(protocol === 'openai'
        ? { error: { message, type: errorType(turn.status), code: null } }
        : { type: 'error', error: { type: errorType(turn.status), message } }));
      return;
    }

    if (turn.delayMs) await sleep(turn.delayMs);
    const calls = (turn.toolCalls ?? []).map((c) => ({ ...c, id: c.id ?? `call_${++callCounter}` }));
    const usage = turn.usage ?? { input: 10, output: 5 };
    const reply = { ...turn, toolCalls: calls, usage };
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(protocol === 'openai' ? openaiJson(model, reply) : anthropicJson(model, reply)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const events = protocol === 'openai' ? openaiSse(model, reply) : anthropicSse(model, reply);
    let sent = 0;
    for (const e of events) {
      if (turn.dropAfterEvents !== undefined && sent >= turn.dropAfterEvents) {
        // Let the client read what was sent before the connection goes: a mid-stream failure.
        await sleep(20);
        res.socket?.destroy();
        return;
      }
      if (sent > 0 && turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
      await new Promise<void>((resolve) => res.write(e, () => resolve()));
      sent++;
    }
    res.end();
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.port ?? 0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    script(a: string | ScriptedTurn[], b?: ScriptedTurn[]) {
      const [key, turns] = typeof a === 'string' ? [a, b ?? []] : [ANY, a];
      queues.set(key, [...(queues.get(key) ?? []), ...turns]);
    },
    requests,
    pending: () => [...queues.values()].reduce((n, q) => n + q.length, 0),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

type Reply = Required<Pick<ScriptedReply, 'usage'>> & ScriptedReply & { toolCalls: Required<ScriptedToolCall>[] };

function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status >= 500) return 'api_error';
  return 'error';
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
const namedSse = (event: string, data: unknown) => `event: ${event}\n${sse(data)}`;

function openaiJson(model: string, r: Reply) {
  return {
    id: 'chatcmpl-scripted', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{
      index: 0,
      message: {
        role: 'assistant',
        content: r.text ?? null,
        ...(r.toolCalls.length ? { tool_calls: r.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } })) } : {}),
      },
      finish_reason: r.toolCalls.length ? 'tool_calls' : 'stop',
    }],
    usage: { prompt_tokens: r.usage.input, completion_tokens: r.usage.output, total_tokens: r.usage.input + r.usage.output },
  };
}

function openaiSse(model: string, r: Reply): string[] {
  const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const chunk = (delta: unknown, finish: string | null = null) => sse({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const out = [chunk({ role: 'assistant', content: '' })];
  for (const p of pieces(r.text ?? '', r.chunkSize ?? 8)) out.push(chunk({ content: p }));
  r.toolCalls.forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
    for (const p of pieces(JSON.stringify(c.input), 16)) out.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
  });
  out.push(chunk({}, r.toolCalls.length ? 'tool_calls' : 'stop'));
  out.push(sse({ ...base, choices: [], usage: { prompt_tokens: r.usage.input, completion_tokens: r.usage.output, total_tokens: r.usage.input + r.usage.output } }));
  out.push('data: [DONE]\n\n');
  return out;
}

function anthropicJson(model: string, r: Reply) {
  return {
    id: 'msg_scripted', type: 'message', role: 'assistant', model,
    content: [
      ...(r.text ? [{ type: 'text', text: r.text }] : []),
      ...r.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.input })),
    ],
    stop_reason: r.toolCalls.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: r.usage.input, output_tokens: r.usage.output },
  };
}

function anthropicSse(model: string, r: Reply): string[] {
  const out = [namedSse('message_start', {
    type: 'message_start',
    message: { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: r.usage.input, output_tokens: 1 } },
  })];
  let index = 0;
  if (r.text) {
    out.push(namedSse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    for (const p of pieces(r.text, r.chunkSize ?? 8)) out.push(namedSse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } }));
    out.push(namedSse('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  for (const c of r.toolCalls) {
    out.push(namedSse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } }));
    for (const p of pieces(JSON.stringify(c.input), 16)) out.push(namedSse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } }));
    out.push(namedSse('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  out.push(namedSse('message_delta', { type: 'message_delta', delta: { stop_reason: r.toolCalls.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: r.usage.output } }));
  out.push(namedSse('message_stop', { type: 'message_stop' }));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
