import { seqPrefix } from './messages.ts';

const FIN_TEXT = 0x81;

/**
 * One connection's message as a WebSocket text frame (RFC 6455 §5.2; server to client, so unmasked): header,
 * the connection's `{"seq":N,`, then the message's shared body, in one buffer. Written to the socket as a
 * single chunk, a frame costs one copy of the body and one write, where `ws.send` of a string encodes the
 * whole text for every connection and writes header and payload as two chunks.
 */
export function textFrame(seq: number, body: Buffer): Buffer {
  const prefix = seqPrefix(seq);
  const length = prefix.length + body.length;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  // The prefix is ASCII: latin1 writes it byte for byte without a UTF-8 pass.
  frame.write(prefix, headerLength, 'latin1');
  frame.set(body, headerLength + prefix.length);
  return frame;
}
