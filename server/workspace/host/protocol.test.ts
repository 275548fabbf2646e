import { expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, MAX_FRAME_BYTES, splitPayload } from './protocol.ts';

const decodeAll = (d: FrameDecoder, stream: Buffer, step: number) => {
  const out: Array<{ message: { id: number; text?: string }; payload: string }> = [];
  for (let i = 0; i < stream.length; i += step) {
    for (const f of d.push(stream.subarray(i, i + step))) out.push({ message: JSON.parse(f.json.toString('utf8')), payload: f.payload.toString('utf8') });
  }
  return out;
};

it('reassembles frames split across chunks and splits frames sharing a chunk, payloads included', () => {
  const a = encodeFrame({ t: 'req', id: 1 });
  const b = encodeFrame({ t: 'req', id: 2, text: 'é'.repeat(70_000) }, Buffer.from('ü'.repeat(50_000)));
  const c = encodeFrame({ t: 'req', id: 3 }, Buffer.from('tail'));
  const stream = Buffer.concat([a, b, c]);
  // Odd chunk sizes, including ones that cut the header.
  const got = decodeAll(new FrameDecoder(), stream, 3001);
  expect(got.map((f) => f.message.id)).toEqual([1, 2, 3]);
  expect(got[1]!.message.text).toHaveLength(70_000);
  expect(got[1]!.payload).toBe('ü'.repeat(50_000));
  expect(got[2]!.payload).toBe('tail');
  expect(decodeAll(new FrameDecoder(), c, 1).map((f) => f.payload)).toEqual(['tail']);
});

it('refuses a frame larger than the limit before buffering it', () => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(16, 0);
  head.writeUInt32BE(MAX_FRAME_BYTES, 4);
  expect(() => new FrameDecoder().push(head)).toThrow(/exceeds/);
});

it('moves the one Buffer field out of a message to travel as the payload', () => {
  const content = Buffer.from([0, 1, 2, 255]);
  expect(splitPayload({ path: 'a', content, mustCreate: false })).toEqual({ fields: { path: 'a', mustCreate: false }, payload: content, bin: 'content' });
  expect(splitPayload({ path: 'a' })).toEqual({ fields: { path: 'a' } });
});
