import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { textFrame } from '../../../src/stream/websocket-frame.ts';

/** ws's own frame writer and parser: exported at run time, left out of @types/ws. */
interface WsInternals {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
  Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void };
}
const { Sender, Receiver } = createRequire(import.meta.url)('ws') as WsInternals;

/** The frame ws itself would send for the text (server side: unmasked). */
function wsFrame(text: string): Buffer {
  const options = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };
  return Buffer.concat(Sender.frame(Buffer.from(text), options));
}

/** What a client's parser reads from the bytes (the payload of each text frame). */
function received(bytes: Buffer): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
  receiver.write(bytes);
  return messages;
}

describe('textFrame', () => {
  // Each side of the payload lengths at which RFC 6455 changes the length's encoding (7 bits, 16 bits, 64 bits).
  const prefix = '{"seq":7,';
  const bodyOfFrameLength = (length: number) => `"t":"${'x'.repeat(length - prefix.length - 7)}"}`;

  it.each([125, 126, 127, 0xffff, 0x10000, 70_000])('builds the frame ws would for a payload of %i bytes', (length) => {
    const body = bodyOfFrameLength(length);
    const frame = textFrame(7, Buffer.from(body));
    expect(frame.length - (length < 126 ? 2 : length < 0x10000 ? 4 : 10)).toBe(length);
    expect(frame.equals(wsFrame(prefix + body))).toBe(true);
  });

  it('carries UTF-8 as it is and numbers each frame with its own seq', () => {
    const body = Buffer.from('"type":"changed","fields":{"name":{"value":"Garage — Süd ⚡"}}}');
    const bytes = Buffer.concat([textFrame(1, body), textFrame(12345678, body)]);
    expect(received(bytes).map((text) => JSON.parse(text) as unknown)).toEqual([
      { seq: 1, type: 'changed', fields: { name: { value: 'Garage — Süd ⚡' } } },
      { seq: 12345678, type: 'changed', fields: { name: { value: 'Garage — Süd ⚡' } } },
    ]);
  });
});
