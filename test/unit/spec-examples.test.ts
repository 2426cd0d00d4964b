/**
 * Every request and response body in openapi.yaml has a media-level `example` (what Swagger UI shows, SDK docs
 * and mock servers use), and every such example matches its schema. Binary downloads are exempt.
 */
import { describe, expect, it } from 'vitest';
import { schemaViolation } from '../support/response-contract.ts';
import { loadSpec } from '../../src/spec.ts';

type Json = Record<string, unknown>;
interface Media {
  schema?: Json;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}
const document = loadSpec().document as unknown as Json & {
  paths: Record<string, Record<string, Json>>;
  components: { responses: Record<string, { content?: Record<string, Media> }> };
};

const media: { where: string; type: string; media: Media }[] = [];
const collect = (where: string, content: Record<string, Media> | undefined) => {
  for (const [type, m] of Object.entries(content ?? {})) media.push({ where, type, media: m });
};
for (const [path, item] of Object.entries(document.paths))
  for (const [method, operation] of Object.entries(item)) {
    if (typeof operation !== 'object' || !('responses' in operation)) continue;
    const body = operation.requestBody as { content?: Record<string, Media> } | undefined;
    collect(`${method.toUpperCase()} ${path} request`, body?.content);
    for (const [status, response] of Object.entries(operation.responses as Record<string, { content?: Record<string, Media> }>))
      collect(`${method.toUpperCase()} ${path} ${status}`, response.content);
  }
for (const [name, response] of Object.entries(document.components.responses)) collect(`components/responses/${name}`, response.content);

const isBinary = (m: Media) => m.schema?.format === 'binary';

describe("openapi.yaml's media-level examples", () => {
  it('exist for every request and response body except binary downloads', () => {
    const missing = media.filter(({ media: m }) => !isBinary(m) && m.example === undefined && m.examples === undefined);
    expect(missing.map(({ where, type }) => `${where} ${type}`)).toEqual([]);
    expect(media.length).toBeGreaterThan(60);
  });

  it('match their schemas', () => {
    const violations = media.flatMap(({ where, type, media: m }) => {
      if (!m.schema || !/[/+]json$/.test(type)) {
        // Text bodies (CSV, metrics, event streams): the example is text.
        return m.example === undefined || typeof m.example === 'string' ? [] : [`${where} ${type}: example is not text`];
      }
      const examples = m.example !== undefined ? [m.example] : Object.values(m.examples ?? {}).map((e) => e.value);
      return examples.flatMap((example) => {
        const violation = schemaViolation(m.schema!, example, 'example');
        return violation ? [`${where} ${type}: ${violation}`] : [];
      });
    });
    expect(violations).toEqual([]);
  });
});
