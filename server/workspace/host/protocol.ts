// The wire contract between the server and a workspace host (program.mjs). Frames are a 4-byte
// big-endian length and a UTF-8 JSON message. The host runs as the workspace uid on files the
// workspace controls, so everything it sends is validated here before the server believes it.
//   server → host  { t: 'req', id, op, args }
//   host → server  { t: 'res', id, ok: true, value } | { t: 'res', id, ok: false, error }
//                  { t: 'ev', stream, data }   (a stream opened by a request: watches today,
//                                               pty output when terminals move into the host)
import { z } from 'zod';

/** Largest frame either side accepts: a 5 MiB editor save is ~7 MiB once base64-encoded. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const HEADER_BYTES = 4;

export const hostErrorCodeSchema = z.enum([
  'INVALID_PATH', 'OUTSIDE_WORKSPACE', 'NOT_FOUND', 'ALREADY_EXISTS', 'NOT_A_DIRECTORY', 'IS_A_DIRECTORY',
  'CONFLICT', 'TOO_LARGE', 'PERMISSION_DENIED', 'NO_SPACE', 'INTERNAL',
]);
export type HostErrorCode = z.infer<typeof hostErrorCodeSchema>;

export const hostMessageSchema = z.union([
  z.object({ t: z.literal('res'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
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
      z.object({ kind: z.literal('text'), path: z.string(), content: z.string(), size: z.number(), mtimeMs: z.number(), hash: z.string() }),
      z.object({
        kind: z.enum(['binary', 'too-large']), path: z.string(), size: z.number(), mtimeMs: z.number(),
        hash: z.string().nullable(), readOnly: z.literal(true),
      }),
    ]),
  },
  write: {
    args: pathArgs.extend({ contentBase64: z.string(), expected: expectedSchema.optional(), mustCreate: z.boolean() }),
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

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > MAX_FRAME_BYTES) throw new Error(`Host request of ${body.length} bytes exceeds ${MAX_FRAME_BYTES}`);
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/**
 * Splits a byte stream into frames; throws on an oversized frame (the peer is then dropped).
 * Chunks are kept as they come and joined once per frame, so a large frame costs one copy.
 * (program.mjs has the same loop: it runs alone in the sandbox and can import nothing of ours.)
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Buffer[] = [];
    while (this.size >= HEADER_BYTES) {
      const head = this.chunks[0]!.length >= HEADER_BYTES ? this.chunks[0]! : this.join();
      const need = HEADER_BYTES + head.readUInt32BE(0);
      if (need - HEADER_BYTES > MAX_FRAME_BYTES) throw new Error(`Host frame of ${need - HEADER_BYTES} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.size < need) break;
      const all = this.join();
      frames.push(all.subarray(HEADER_BYTES, need));
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
