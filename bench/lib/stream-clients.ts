/**
 * Child process for bench/stream.ts: many authenticated WebSocket clients of the gateway's stream, in a
 * process of their own so that their reading never shares the event loop with the publisher or the floor.
 *
 * The clients are minimal RFC 6455 clients on plain sockets (no `ws`): a handshake with the API key, then
 * frames parsed in place. Sockets read through `onread` into one buffer per process, so a receipt skips the
 * stream machinery (Readable, 'data' events, a Buffer per read): the native read calls the client straight
 * away, and its first act is the timestamp (process.hrtime: CLOCK_MONOTONIC, the same clock in every process
 * of the machine). With many sockets ready at once the last one's timestamp then lags the first by a few
 * microseconds per socket instead of tens, so what is measured is the server's fan-out, not the rig's reading.
 * Pings are answered. A `changed` frame carrying chargepoint power `BASE_VALUE + seq` records (seq, time)
 * for that client.
 *
 * IPC (parent → child / child → parent):
 *   { type: 'open', count, stalled, port? } → { type: 'opened', open, failed, error? }  (each has its snapshot; default: the gateway's port)
 *   { type: 'stall' }                 the client opened with `stalled` stops reading (socket paused)
 *   { type: 'resume' }                → { type: 'resumed', closeCode }   it reads again, until the gateway's close
 *   { type: 'reset' }                 forget what was received so far
 *   { type: 'collect', publishedAt }  → { type: 'latencies', perClient: (µs | null: missed)[][], superseded, stalled? }
 *                                     (a sample replaced by a newer value before it was sent counts with that value: superseded)
 *   { type: 'close-all' }             → { type: 'closed' }
 *
 * BENCH_STREAM (JSON): { host, port, apiKey, baseValue, maxSeq }.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

interface ClientConfig {
  host: string;
  port: number;
  apiKey: string;
  baseValue: number;
  maxSeq: number;
}

const config = JSON.parse(process.env.BENCH_STREAM ?? '{}') as ClientConfig;
const send = (message: object) => process.send?.(message);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const POWER = /"power":\{"value":(-?\d+)/;
const OPENING_CONCURRENCY = 50;
const OPEN_TIMEOUT_MS = 30_000;
/** Every socket of this process reads into this buffer; what a client keeps of it (a partial frame) is copied. */
const READ_BUFFER = Buffer.alloc(256 * 1024);
const EMPTY = Buffer.alloc(0);

class RawStreamClient {
  /** Receipt time (ms, hrtime) per seq; NaN: not received. */
  readonly received: Float64Array;
  closeCode: number | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private handshakeDone = false;
  private readonly socket: net.Socket;
  private onSnapshot: ((error?: Error) => void) | undefined;
  private onClose: ((code: number | undefined) => void) | undefined;
  private closed = false;

  constructor(maxSeq: number, port: number) {
    this.received = new Float64Array(maxSeq + 1).fill(Number.NaN);
    this.socket = net.connect({
      host: config.host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (nread: number, buffer: Uint8Array) => {
          const at = nowMs();
          this.onData(Buffer.from(buffer.buffer, buffer.byteOffset, nread), at);
          return true;
        },
      },
    });
    this.socket.on('error', (error) => this.finish(error));
    this.socket.on('close', () => this.finish(new Error('closed before the snapshot')));
    this.socket.once('connect', () => {
      this.socket.write(
        `GET /api/v1/stream HTTP/1.1\r\nHost: ${config.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nx-api-key: ${config.apiKey}\r\n\r\n`,
      );
    });
  }

  /** Resolves once the snapshot arrived. */
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no snapshot in time')), OPEN_TIMEOUT_MS);
      this.onSnapshot = (error) => {
        clearTimeout(timer);
        this.onSnapshot = undefined;
        if (error) reject(error);
        else resolve();
      };
    });
  }

  pause(): void {
    this.socket.pause();
  }

  /** Reads again; resolves with the close code the gateway sent (undefined: the connection ended without one). */
  resume(timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(this.closeCode);
      const timer = setTimeout(() => resolve(this.closeCode), timeoutMs);
      this.onClose = (code) => {
        clearTimeout(timer);
        resolve(code);
      };
      this.socket.resume();
    });
  }

  close(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  reset(): void {
    this.received.fill(Number.NaN);
  }

  private finish(error: Error): void {
    this.onSnapshot?.(error);
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(this.closeCode);
  }

  /** `chunk` lies in the shared read buffer: only a copy may outlive this call. */
  private onData(chunk: Buffer, at: number): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.handshakeDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        this.buffer = Buffer.from(this.buffer);
        return;
      }
      const head = this.buffer.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) {
        this.onSnapshot?.(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        this.socket.destroy();
        return;
      }
      this.handshakeDone = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    this.frames(at);
  }

  private frames(at: number): void {
    let offset = 0;
    const buf = this.buffer;
    while (buf.length - offset >= 2) {
      const opcode = buf[offset]! & 0x0f;
      let length = buf[offset + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buf.length - offset < 4) break;
        length = buf.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buf.length - offset < 10) break;
        length = Number(buf.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buf.length - offset < header + length) break;
      const payload = buf.subarray(offset + header, offset + header + length);
      offset += header + length;
      if (opcode === 0x1) this.text(payload, at);
      else if (opcode === 0x9) this.socket.write(maskedFrame(0xa, payload));
      else if (opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
        this.socket.end(maskedFrame(0x8, payload.subarray(0, 2)));
      }
    }
    this.buffer = offset === buf.length ? EMPTY : Buffer.from(buf.subarray(offset));
  }

  private text(payload: Buffer, at: number): void {
    if (this.onSnapshot) {
      if (payload.includes('"type":"snapshot"')) this.onSnapshot();
      return;
    }
    const match = POWER.exec(payload.toString('utf8'));
    if (!match) return;
    const seq = Number(match[1]) - config.baseValue;
    if (seq >= 0 && seq <= config.maxSeq && Number.isNaN(this.received[seq]!)) this.received[seq] = at;
  }
}

function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/**
 * When each sample's value, or a newer one, first reached the client: the stream carries state, so a sample
 * the gateway replaced by the next one before sending (latest wins) counts as delivered with that next one.
 */
function effectiveReceipts(received: Float64Array): Float64Array {
  const seen = new Float64Array(received.length).fill(Number.NaN);
  let earliest = Number.POSITIVE_INFINITY;
  for (let seq = received.length - 1; seq >= 0; seq--) {
    if (!Number.isNaN(received[seq]!)) earliest = Math.min(earliest, received[seq]!);
    if (earliest !== Number.POSITIVE_INFINITY) seen[seq] = earliest;
  }
  return seen;
}

const clients: RawStreamClient[] = [];
let stalled: RawStreamClient | undefined;

async function open(count: number, withStalled: boolean, port: number): Promise<void> {
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const client = new RawStreamClient(config.maxSeq, port);
      try {
        await client.opened();
        clients.push(client);
        if (withStalled && index === 0) stalled = client;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
        client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPENING_CONCURRENCY, count) }, worker));
  send({ type: 'opened', open: clients.length, failed, error: firstError });
}

process.on('message', (message: { type: string; count?: number; stalled?: boolean; port?: number; publishedAt?: (number | null)[] }) => {
  if (message.type === 'open') void open(message.count ?? 0, message.stalled ?? false, message.port ?? config.port);
  if (message.type === 'stall') stalled?.pause();
  if (message.type === 'resume') {
    void (stalled ? stalled.resume(20_000) : Promise.resolve(undefined)).then((closeCode) =>
      send({ type: 'resumed', closeCode: closeCode ?? null }),
    );
  }
  if (message.type === 'reset') for (const client of clients) client.reset();
  if (message.type === 'collect') {
    const publishedAt = message.publishedAt ?? [];
    let superseded = 0;
    const latencies = (client: RawStreamClient) => {
      const seen = effectiveReceipts(client.received);
      return publishedAt.map((sent, seq) => {
        if (sent === null || Number.isNaN(seen[seq]!)) return null;
        if (Number.isNaN(client.received[seq]!)) superseded++;
        return Math.round((seen[seq]! - sent) * 1000);
      });
    };
    const perClient = clients.filter((client) => client !== stalled).map(latencies);
    const counted = superseded;
    send({ type: 'latencies', perClient, superseded: counted, stalled: stalled ? latencies(stalled) : undefined });
  }
  if (message.type === 'close-all') {
    for (const client of clients) client.close();
    clients.length = 0;
    stalled = undefined;
    send({ type: 'closed' });
  }
});
process.once('disconnect', () => process.exit(0));
send({ type: 'ready' });
