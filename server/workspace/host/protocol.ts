// The wire contract between the server and a workspace host (program.mjs). A frame is two
// big-endian u32 lengths, a UTF-8 JSON message and a raw payload (possibly empty): file contents
// travel as bytes, not as base64 or escaped JSON strings. A message whose `bin` names a field
// gets the payload as that field (of `args` or `value`). The host runs as the workspace uid on
// files the workspace controls, so everything it sends is validated here before it is believed.
//   server → host  { t: 'req', id, op, args, bin? }    (the first one on a connection: `hello`)
//                  { t: 'cast', op, args }            (no answer: keystrokes, resizes, acks)
//   host → server  { t: 'res', id, ok: true, value, bin? } | { t: 'res', id, ok: false, error }
//                  { t: 'ev', stream, data }          (a stream opened by a request: watches)
//                  { t: 'pty', id, kind: 'data', start, end } + the output's bytes as payload
//                  { t: 'pty', id, kind: 'exit', exitCode, signal? }
import { z } from 'zod';

/** Largest frame either side accepts (JSON and payload): well above a 5 MiB editor save. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** JSON length, then payload length. */
const HEADER_BYTES = 8;

export const hostErrorCodeSchema = z.enum([
  'INVALID_PATH', 'OUTSIDE_WORKSPACE', 'NOT_FOUND', 'ALREADY_EXISTS', 'NOT_A_DIRECTORY', 'IS_A_DIRECTORY',
  'CONFLICT', 'TOO_LARGE', 'PERMISSION_DENIED', 'NO_SPACE', 'INTERNAL',
]);
export type HostErrorCode = z.infer<typeof hostErrorCodeSchema>;

export const hostMessageSchema = z.union([
  z.object({ t: z.literal('res'), id: z.number().int(), ok: z.literal(true), value: z.unknown(), bin: z.string().optional() }),
  z.object({ t: z.literal('res'), id: z.number().int(), ok: z.literal(false), error: z.object({ code: hostErrorCodeSchema, message: z.string() }) }),
  z.object({ t: z.literal('ev'), stream: z.number().int(), data: z.unknown() }),
  z.object({ t: z.literal('pty'), id: z.string(), kind: z.literal('data'), start: z.number().int().min(0), end: z.number().int().min(0) }),
  z.object({ t: z.literal('pty'), id: z.string(), kind: z.literal('exit'), exitCode: z.number().int(), signal: z.number().int().optional() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

const entrySchema = z.object({
  name: z.string(), path: z.string(), type: z.enum(['file', 'directory', 'symlink', 'other']),
  size: z.number(), mtimeMs: z.number(),
});
const writeResultSchema = z.object({ path: z.string(), size: z.number(), mtimeMs: z.number(), hash: z.string() });
const expectedSchema = z.object({ mtimeMs: z.number().optional(), hash: z.string().optional() });
const pathArgs = z.object({ path: z.string() });

const watchEventSchema = z.object({
  path: z.string(), change: z.enum(['created', 'changed', 'deleted']),
  type: z.enum(['file', 'directory', 'symlink', 'other']).nullable(),
});
export const watchStreamDataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('changes'), events: z.array(watchEventSchema) }),
  /** More directories than inotify watches the host allows itself: the tree is watched partially. */
  z.object({ kind: z.literal('partial'), max: z.number() }),
]);

const ptyId = z.object({ id: z.uuid() });
const ptyExitSchema = z.object({ exitCode: z.number().int(), signal: z.number().int().optional() });
export const ptyInfoSchema = z.object({
  id: z.string(), cols: z.number().int(), rows: z.number().int(), createdAt: z.string(),
  /** Offsets of the first byte still in the ring buffer and just past the last one produced. */
  start: z.number().int().min(0), end: z.number().int().min(0),
  exit: ptyExitSchema.nullable(),
});
export type PtyInfo = z.infer<typeof ptyInfoSchema>;
const ptySize = { cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) };

/** Each operation: what the server sends and what it accepts back. */
export const hostOps = {
  /** `network`: whether the host (and so every terminal in it) was started with the workspace's network. */
  hello: { args: z.object({ token: z.string() }), result: z.object({ pid: z.number().int(), ptys: z.number().int(), network: z.boolean() }) },
  /** `force` false: the host exits only when it has no terminal and no watch (the answer says whether). */
  exit: { args: z.object({ force: z.boolean() }), result: z.boolean() },
  ping: { args: z.object({}), result: z.null() },
  list: { args: pathArgs, result: z.array(entrySchema) },
  stat: { args: pathArgs, result: entrySchema },
  read: {
    args: pathArgs.extend({ maxBytes: z.number().int().positive() }),
    result: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('text'), path: z.string(), size: z.number(), mtimeMs: z.number(), hash: z.string(),
        content: z.instanceof(Buffer).transform((b) => b.toString('utf8')),
      }),
      z.object({
        kind: z.enum(['binary', 'too-large']), path: z.string(), size: z.number(), mtimeMs: z.number(),
        hash: z.string().nullable(), readOnly: z.literal(true),
      }),
    ]),
  },
  readBytes: {
    args: pathArgs.extend({ maxBytes: z.number().int().positive() }),
    result: z.object({ path: z.string(), size: z.number(), mtimeMs: z.number(), content: z.instanceof(Buffer) }),
  },
  write: {
    args: pathArgs.extend({ content: z.instanceof(Buffer), expected: expectedSchema.optional(), mustCreate: z.boolean() }),
    result: writeResultSchema,
  },
  mkdir: { args: pathArgs, result: entrySchema },
  rename: { args: z.object({ from: z.string(), to: z.string() }), result: z.null() },
  delete: { args: pathArgs, result: z.null() },
  'watch.start': { args: z.object({ stream: z.number().int(), debounceMs: z.number().int().positive() }), result: z.null() },
  'watch.stop': { args: z.object({ stream: z.number().int() }), result: z.null() },
  'pty.open': {
    args: ptyId.extend({
      command: z.array(z.string()).min(1), cwd: z.string().optional(), env: z.record(z.string(), z.string()), ...ptySize,
      scrollbackBytes: z.number().int().positive(), highWatermark: z.number().int().positive(), lowWatermark: z.number().int().positive(),
    }),
    result: ptyInfoSchema,
  },
  'pty.list': { args: z.object({}), result: z.array(ptyInfoSchema) },
  /** `from` null: everything the ring buffer still holds. */
  'pty.replay': {
    args: ptyId.extend({ from: z.number().int().min(0).nullable() }),
    result: z.object({ start: z.number().int(), end: z.number().int(), missed: z.number().int(), data: z.instanceof(Buffer) }),
  },
  'pty.write': { args: ptyId.extend({ data: z.string() }), result: z.null() },
  'pty.resize': { args: ptyId.extend(ptySize), result: z.null() },
  /** The server's browsers rendered this many more characters. */
  'pty.ack': { args: ptyId.extend({ chars: z.number().int().min(0) }), result: z.null() },
  'pty.close': { args: ptyId, result: z.null() },
} as const;

/** Operations sent without waiting for an answer. */
export type HostCast = 'pty.write' | 'pty.resize' | 'pty.ack';

export type HostOp = keyof typeof hostOps;
export type HostArgs<O extends HostOp> = z.input<(typeof hostOps)[O]['args']>;
export type HostResult<O extends HostOp> = z.output<(typeof hostOps)[O]['result']>;

export interface Frame { json: Buffer; payload: Buffer }

export function encodeFrame(message: unknown, payload: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(message), 'utf8');
  if (json.length + payload.length > MAX_FRAME_BYTES) throw new Error(`Host request of ${json.length + payload.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(json.length, 0);
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, json, payload]);
}

/** Moves the one Buffer-valued field of `fields` (if any) out, to travel as the payload. */
export function splitPayload<T extends object>(fields: T): { fields: T; payload?: Buffer; bin?: string } {
  const entry = Object.entries(fields).find(([, v]) => Buffer.isBuffer(v));
  if (!entry) return { fields };
  const [bin, payload] = entry as [string, Buffer];
  const rest = { ...fields } as Record<string, unknown>;
  delete rest[bin];
  return { fields: rest as T, payload, bin };
}

/**
 * Splits a byte stream into frames; throws on an oversized frame (the peer is then dropped).
 * Chunks are kept as they come and joined once per frame, so a large frame costs one copy.
 * (program.mjs has the same loop: it runs alone in the sandbox and can import nothing of ours.)
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    while (this.size >= HEADER_BYTES) {
      const head = this.chunks[0]!.length >= HEADER_BYTES ? this.chunks[0]! : this.join();
      const jsonBytes = head.readUInt32BE(0);
      const body = jsonBytes + head.readUInt32BE(4);
      if (body > MAX_FRAME_BYTES) throw new Error(`Host frame of ${body} bytes exceeds ${MAX_FRAME_BYTES}`);
      const need = HEADER_BYTES + body;
      if (this.size < need) break;
      const all = this.join();
      frames.push({ json: all.subarray(HEADER_BYTES, HEADER_BYTES + jsonBytes), payload: all.subarray(HEADER_BYTES + jsonBytes, need) });
      this.chunks = all.length > need ? [all.subarray(need)] : [];
      this.size -= need;
    }
    return frames;
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0]!;
  }
}
