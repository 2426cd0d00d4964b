import { get, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { streamMessageViolation } from './response-contract.ts';

export interface StreamMessage {
  seq: number;
  type: string;
  [key: string]: unknown;
}

export interface StreamClient {
  ws: WebSocket;
  messages: StreamMessage[];
  /** Messages that break asyncapi.yaml, with why. */
  violations: string[];
  /** The first message (from `from` on) that matches, waiting for it up to `timeoutMs`. */
  next(match: (message: StreamMessage) => boolean, timeoutMs?: number, from?: number): Promise<StreamMessage>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** A real WebSocket client of the gateway's stream that records every message it receives and checks it against asyncapi.yaml. */
export function openStream(
  baseUrl: string,
  options: { headers?: Record<string, string>; query?: string; autoPong?: boolean; ca?: Buffer } = {},
): Promise<StreamClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/v1/stream${options.query ?? ''}`;
  const ws = new WebSocket(url, { headers: options.headers, autoPong: options.autoPong ?? true, ca: options.ca });
  const messages: StreamMessage[] = [];
  const violations: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as StreamMessage;
    const violation = streamMessageViolation(message);
    if (violation) violations.push(`${data.toString().slice(0, 500)}: ${violation}`);
    messages.push(message);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  const next = (match: (message: StreamMessage) => boolean, timeoutMs = 5_000, from = 0) =>
    new Promise<StreamMessage>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find(match);
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching stream message in ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 2000)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, violations, next, closed, close: () => ws.close() }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

export interface EventStreamClient {
  status: number;
  headers: IncomingHttpHeaders;
  messages: StreamMessage[];
  violations: string[];
  next(match: (message: StreamMessage) => boolean, timeoutMs?: number): Promise<StreamMessage>;
  close(): void;
}

/** A GET of the stream as Server-Sent Events; each `data:` line is one message, checked against asyncapi.yaml. */
export function openEventStream(baseUrl: string, headers: Record<string, string>, query = ''): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const req = get(`${baseUrl}/api/v1/stream${query}`, { headers }, (res) => {
      const messages: StreamMessage[] = [];
      const violations: string[] = [];
      const waiters = new Set<() => void>();
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          for (const line of event.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            const message = JSON.parse(line.slice(6)) as StreamMessage;
            const violation = streamMessageViolation(message);
            if (violation) violations.push(violation);
            messages.push(message);
          }
        }
        for (const wake of waiters) wake();
      });
      const next = (match: (message: StreamMessage) => boolean, timeoutMs = 5_000) =>
        new Promise<StreamMessage>((resolveMessage, rejectMessage) => {
          const check = () => {
            const found = messages.find(match);
            if (!found) return;
            clearTimeout(timer);
            waiters.delete(check);
            resolveMessage(found);
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            rejectMessage(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 2000)}`));
          }, timeoutMs);
          waiters.add(check);
          check();
        });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, messages, violations, next, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}
