import { describe, expect, it } from 'vitest';
import { specForDocs } from '../../../src/http/docs-spec.ts';
import { loadSpec } from '../../../src/spec.ts';

const document = loadSpec().document;
const defaults = (doc: object) =>
  Object.fromEntries(
    Object.entries((doc as { servers: { variables: Record<string, { default: string }> }[] }).servers[0]!.variables).map(([name, v]) => [
      name,
      v.default,
    ]),
  );

describe("the spec Swagger UI gets: the serving origin as the server variables' defaults", () => {
  it('keeps the file as it is (the local demo)', () => {
    expect(defaults(document)).toEqual({ scheme: 'http', host: 'localhost', port: '8080' });
  });

  it('takes scheme, host and port from the request', () => {
    expect(defaults(specForDocs(document, { protocol: 'http', hostname: '192.168.1.20', host: '192.168.1.20:8081' }))).toEqual({
      scheme: 'http',
      host: '192.168.1.20',
      port: '8081',
    });
  });

  it("behind the TLS proxy without a port in Host: https on 443; a host that is not a host name keeps the file's", () => {
    expect(defaults(specForDocs(document, { protocol: 'https', hostname: 'wallbox.example', host: 'wallbox.example' }))).toEqual({
      scheme: 'https',
      host: 'wallbox.example',
      port: '443',
    });
    expect(defaults(specForDocs(document, { protocol: 'gopher', hostname: 'a b<script>', host: 'a b<script>' }))).toEqual({
      scheme: 'http',
      host: 'localhost',
      port: '80',
    });
  });

  it('does not change the loaded document', () => {
    specForDocs(document, { protocol: 'https', hostname: 'wallbox.example', host: 'wallbox.example' });
    expect(defaults(document).host).toBe('localhost');
  });
});
