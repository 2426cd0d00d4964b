import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openGatewayStream, type StreamAuth, type StreamDisconnect, type StreamSocket } from '../../../sdk/src/stream.ts';
import type { StreamMessage } from '../../../sdk/src/types.ts';

type Listener = (event: never) => void;

/** A socket the test drives: what a WebSocket would deliver, without a network (the reconnect logic is pure timing). */
class ScriptedSocket implements StreamSocket {
  static opened: ScriptedSocket[] = [];
  readonly listeners = new Map<string, Listener[]>();
  closedWith: { code?: number; reason?: string } | undefined;

  constructor(
    readonly url: string,
    readonly options?: { headers: Record<string, string> },
  ) {
    ScriptedSocket.opened.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  emit(type: 'message' | 'close' | 'error', event: object): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (event: object) => void)(event);
  }

  send(message: Partial<StreamMessage>): void {
    this.emit('message', { data: JSON.stringify(message) });
  }
}

const snapshot = { type: 'snapshot', seq: 1, chargepoints: [], vehicles: [], site: {}, system: {} } as unknown as StreamMessage;
const changed = (seq: number) =>
  ({ type: 'changed', seq, kind: 'chargepoint', id: '3', fields: {}, updatedAt: null, stale: false }) as const;

describe('the SDK stream: seq gaps, backoff and close codes', () => {
  let auth: StreamAuth & { renewals: number; renewable: boolean };
  let messages: StreamMessage[];
  let disconnects: StreamDisconnect[];

  beforeEach(() => {
    vi.useFakeTimers();
    ScriptedSocket.opened = [];
    messages = [];
    disconnects = [];
    auth = {
      baseUrl: 'https://gw.example',
      headers: () => ({ 'x-api-key': 'owk_test' }),
      renewals: 0,
      renewable: true,
      async renew() {
        this.renewals += 1;
        return this.renewable;
      },
      ticket: async () => 'st_unused',
    };
  });
  afterEach(() => vi.useRealTimers());

  const open = () =>
    openGatewayStream(auth, {
      WebSocket: ScriptedSocket,
      backoff: { initialMs: 100, maxMs: 1_000 },
      onMessage: (message) => messages.push(message),
      onDisconnect: (event) => disconnects.push(event),
    });
  const socket = (index: number) => ScriptedSocket.opened[index]!;

  it('connects to the ws URL with the credentials as headers', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket(0).url).toBe('wss://gw.example/api/v1/stream');
    expect(socket(0).options).toEqual({ headers: { 'x-api-key': 'owk_test' } });
  });

  it('on a seq gap closes with 4000 and reconnects after the backoff, for a fresh snapshot', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    socket(0).send(snapshot);
    socket(0).send(changed(2));
    socket(0).send(changed(4));
    expect(messages.map((message) => message.seq)).toEqual([1, 2]);
    expect(socket(0).closedWith?.code).toBe(4000);
    expect(disconnects).toEqual([{ code: 4000, reason: 'Expected seq 3, got 4', reconnectInMs: expect.any(Number) }]);
    const delay = disconnects[0]!.reconnectInMs!;
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(delay).toBeLessThanOrEqual(100);

    await vi.advanceTimersByTimeAsync(delay - 1);
    expect(ScriptedSocket.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ScriptedSocket.opened).toHaveLength(2);
    socket(1).send(snapshot);
    expect(messages.map((message) => message.seq)).toEqual([1, 2, 1]);
  });

  it('backs off longer on each failed attempt and starts over after a snapshot', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    for (let attempt = 0; attempt < 4; attempt++) {
      socket(attempt).emit('close', { code: 1006, reason: '' });
      await vi.advanceTimersByTimeAsync(disconnects.at(-1)!.reconnectInMs!);
    }
    const ceilings = [100, 200, 400, 800];
    disconnects.forEach((event, index) => {
      expect(event.reconnectInMs).toBeGreaterThanOrEqual(ceilings[index]! / 2);
      expect(event.reconnectInMs).toBeLessThanOrEqual(ceilings[index]!);
    });
    socket(4).send(snapshot);
    socket(4).emit('close', { code: 1011, reason: 'The live values cannot be read right now' });
    expect(disconnects.at(-1)!.reconnectInMs).toBeLessThanOrEqual(100);
  });

  it('on 4401 renews the session and reconnects; when it cannot, ends asking to authenticate again', async () => {
    const stream = open();
    await vi.advanceTimersByTimeAsync(0);
    socket(0).emit('close', { code: 4401, reason: 'Credentials revoked' });
    await vi.advanceTimersByTimeAsync(100);
    expect(auth.renewals).toBe(1);
    expect(ScriptedSocket.opened).toHaveLength(2);

    auth.renewable = false;
    socket(1).emit('close', { code: 4401, reason: 'Credentials revoked' });
    await expect(stream.closed).resolves.toEqual({ code: 4401, reason: 'Credentials revoked', reauthenticate: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ScriptedSocket.opened).toHaveLength(2);
  });

  it('treats a refused upgrade (ws: "Unexpected server response: 401") as 4401, and ends on 4403', async () => {
    auth.renewable = false;
    const stream = open();
    await vi.advanceTimersByTimeAsync(0);
    socket(0).emit('error', { message: 'Unexpected server response: 401', error: new Error('Unexpected server response: 401') });
    socket(0).emit('close', { code: 1006, reason: '' });
    await expect(stream.closed).resolves.toMatchObject({ code: 4401, reauthenticate: true });

    const forbidden = open();
    await vi.advanceTimersByTimeAsync(0);
    socket(1).emit('close', { code: 4403, reason: 'Forbidden' });
    await expect(forbidden.closed).resolves.toEqual({ code: 4403, reason: 'Forbidden', reauthenticate: false });
  });

  it('close() ends for good: no reconnect is pending', async () => {
    const stream = open();
    await vi.advanceTimersByTimeAsync(0);
    socket(0).emit('close', { code: 1001, reason: 'The gateway is shutting down' });
    stream.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ScriptedSocket.opened).toHaveLength(1);
    await expect(stream.closed).resolves.toMatchObject({ code: 1000, reauthenticate: false });
  });
});
