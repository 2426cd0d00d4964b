import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec.ts';
import { VERSION } from '../../src/version.ts';

describe('the spec version', () => {
  it("is the gateway's package version (SDK generators take it for the client's version)", () => {
    expect((loadSpec().document as unknown as { info: { version: string } }).info.version).toBe(VERSION);
  });
});
