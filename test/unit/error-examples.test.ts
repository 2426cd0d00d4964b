import { describe, expect, it } from 'vitest';
import { contractViolation } from '../support/response-contract.ts';
import { loadSpec } from '../../src/spec.ts';

type Json = Record<string, unknown>;
const responses = (loadSpec().document as unknown as { components: { responses: Record<string, { content?: Record<string, Json> }> } })
  .components.responses;
const problems = Object.entries(responses).flatMap(([name, r]) => {
  const media = r.content?.['application/problem+json'];
  return media ? [{ name, example: media.example as Json | undefined }] : [];
});

describe("the spec's error examples (what Swagger UI shows per status)", () => {
  it('has one for every problem response, each a valid Problem of its own status and type', () => {
    expect(problems.filter((p) => p.example === undefined).map((p) => p.name)).toEqual([]);
    for (const { name, example } of problems) {
      const violation = contractViolation('get', '/nowhere', {
        status: Number(example!.status),
        headers: { 'content-type': 'application/problem+json' },
        text: JSON.stringify(example),
        body: example,
      });
      expect([name, violation]).toEqual([name, undefined]);
    }
    expect(new Set(problems.map((p) => p.example!.status)).size).toBe(problems.length);
    expect(new Set(problems.map((p) => p.example!.type)).size).toBe(problems.length);
  });
});
