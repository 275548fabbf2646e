import { expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES } from './protocol.ts';

it('reassembles frames split across chunks and splits frames sharing a chunk', () => {
  const a = encodeFrame({ t: 'req', id: 1 });
  const b = encodeFrame({ t: 'req', id: 2, text: 'é'.repeat(70_000) });
  const c = encodeFrame({ t: 'req', id: 3 });
  const stream = Buffer.concat([a, b, c]);
  const d = new FrameDecoder();
  const got: unknown[] = [];
  // Odd chunk sizes, including ones that cut the 4-byte header.
  for (let i = 0; i < stream.length; i += 3001) for (const f of d.push(stream.subarray(i, i + 3001))) got.push(JSON.parse(f.toString('utf8')));
  expect(got.map((m) => (m as { id: number }).id)).toEqual([1, 2, 3]);
  expect((got[1] as { text: string }).text).toHaveLength(70_000);
  const byByte = new FrameDecoder();
  const ids: number[] = [];
  for (const byte of a) for (const f of byByte.push(Buffer.from([byte]))) ids.push(JSON.parse(f.toString('utf8')).id);
  expect(ids).toEqual([1]);
});

it('refuses a frame larger than the limit before buffering it', () => {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(MAX_FRAME_BYTES + 1);
  expect(() => new FrameDecoder().push(head)).toThrow(/exceeds/);
});
