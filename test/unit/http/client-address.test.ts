import type { IncomingMessage } from 'node:http';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { clientAddressResolver } from '../../../src/http/client-address.ts';

const upgrade = (remoteAddress: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddressResolver', () => {
  it('takes the socket address when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    const app = express();
    app.set('trust proxy', false);
    expect(clientAddressResolver(app)(upgrade('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('follows X-Forwarded-For through trusted hops only, as req.ip does', () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    const addressOf = clientAddressResolver(app);
    expect(addressOf(upgrade('127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    expect(addressOf(upgrade('127.0.0.1', '198.51.100.1, 203.0.113.7'))).toBe('203.0.113.7');
    expect(addressOf(upgrade('127.0.0.1'))).toBe('127.0.0.1');
  });
});
