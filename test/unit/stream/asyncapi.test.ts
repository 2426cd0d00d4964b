import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSpec } from '../../../src/spec.ts';

type Node = Record<string, unknown>;
const asyncapi = parse(readFileSync(new URL('../../../asyncapi.yaml', import.meta.url), 'utf8')) as Node;
const openapi = loadSpec().document as unknown as Node;

/** The node a local JSON pointer names in a document, or undefined. */
function at(document: Node, pointer: string): unknown {
  return pointer
    .replace(/^#?\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Node | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsIn(item, found);
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  return found;
}

describe('asyncapi.yaml', () => {
  it('is an AsyncAPI 3 document for the stream path of openapi.yaml', () => {
    expect(asyncapi.asyncapi).toMatch(/^3\.\d+\.\d+$/);
    expect(at(asyncapi, '#/channels/stream/address')).toBe('/api/v1/stream');
    expect(at(openapi, '#/paths/~1api~1v1~1stream/get/operationId')).toBe('openStream');
  });

  it('resolves every reference, its own and those into openapi.yaml', () => {
    const refs = refsIn(asyncapi);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const [file, pointer] = ref.split('#') as [string, string];
      const target = file === '' ? at(asyncapi, pointer) : file === './openapi.yaml' ? at(openapi, pointer) : undefined;
      expect(target, ref).toBeTypeOf('object');
    }
  });

  it('names each message by the type its payload carries, and sends every message of the channel but the one it receives', () => {
    const messages = at(asyncapi, '#/components/messages') as Record<string, { name: string; payload: { schema: { $ref: string } } }>;
    for (const [name, message] of Object.entries(messages)) {
      expect(message.name).toBe(name);
      const schema = at(openapi, message.payload.schema.$ref.split('#')[1]!) as { properties: { type: { enum: string[] } } };
      expect(schema.properties.type.enum).toEqual([name]);
    }
    const sent = refsIn(at(asyncapi, '#/operations/sendLiveChanges/messages')).map((ref) => ref.split('/').at(-1));
    const received = refsIn(at(asyncapi, '#/operations/receiveSubscription/messages')).map((ref) => ref.split('/').at(-1));
    expect(received).toEqual(['subscribe']);
    expect([...sent, ...received].sort()).toEqual(Object.keys(messages).sort());
  });
});
