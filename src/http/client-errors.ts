import type { Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemOf } from './problem.ts';
import { PROBLEMS, type ProblemType } from './problem-types.ts';

/** Node's parser errors, answered as Node would (431, 408, else 400), but as problem+json. */
function problemTypeOf(code: string | undefined): ProblemType {
  if (code === 'HPE_HEADER_OVERFLOW') return PROBLEMS.requestHeaderFieldsTooLarge;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return PROBLEMS.requestTimeout;
  return PROBLEMS.badRequest;
}

const DETAIL: Record<number, string> = {
  431: 'The request headers are larger than the server accepts (16 KiB in all)',
  408: 'The request was not received in time',
  400: 'The request is not valid HTTP/1.1',
};

/**
 * Requests Node's HTTP parser refuses never reach Express; without a listener Node answers them with a bare
 * status line. This one answers with problem+json like every other error, then closes the connection.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const type = problemTypeOf(error.code);
    const body = JSON.stringify(problemOf(type, DETAIL[type.status] ?? type.title, undefined));
    socket.end(
      `HTTP/1.1 ${type.status} ${STATUS_CODES[type.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
        body,
    );
  });
}
