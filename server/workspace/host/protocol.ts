// The wire contract between the server and a workspace host (program.mjs). A frame is two
// big-endian u32 lengths, a UTF-8 JSON message and a raw payload (possibly empty): file contents
// travel as bytes, not as base64 or escaped JSON strings. A message whose `bin` names a field
// gets the payload as that field (of `args` or `value`). The host runs as the workspace uid on
// files the workspace controls, so everything it sends is validated here before it is believed.
//   server → host  { t: 'req', id, op, args, bin? }
//   host → server  { t: 'res', id, ok: true, value, bin? } | { t: 'res', id, ok: false, error }
//                  { t: 'ev', stream, data }   (a stream opened by a request: watches today,
//                                               pty output when terminals move into the host)
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

/** Each operation: what the server sends and what it accepts back. */
export const hostOps = {
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
} as const;

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
