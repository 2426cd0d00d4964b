import { describe, expect, it } from 'vitest';
import {
  boolean,
  idString,
  Invalid,
  negated,
  nullable,
  number,
  numberTriple,
  prop,
  scaled,
  secondsToMs,
  textFlag,
  textNumber,
  type Codec,
  type DecodeContext,
} from '../../../src/openwb/topics/codecs.ts';

const context: DecodeContext = { id: '1', minPvChargepoints: new Set() };
const run = (codec: Codec, input: unknown) => codec(input, context);
const reason = (codec: Codec, input: unknown) => {
  const result = run(codec, input);
  return result instanceof Invalid ? result.reason : `valid: ${JSON.stringify(result)}`;
};
const refusal = (codec: Codec, input: unknown) => {
  const result = run(codec, input);
  return result instanceof Invalid ? result.refusal : undefined;
};

describe('codecs', () => {
  it('number accepts finite numbers only', () => {
    expect(run(number, 11040.5)).toBe(11040.5);
    expect(reason(number, '11040')).toBe('expected number, got "11040"');
    expect(reason(number, Number.NaN)).toBe('expected finite number, got NaN');
    expect(reason(number, Number.POSITIVE_INFINITY)).toBe('expected finite number, got Infinity');
    expect(refusal(number, Number.POSITIVE_INFINITY)).toBe('not-finite');
    expect(refusal(number, '11040')).toBe('invalid-payload');
  });

  it('boolean accepts true/false and 0/1', () => {
    expect([true, false, 1, 0].map((input) => run(boolean, input))).toEqual([true, false, true, false]);
    expect(reason(boolean, 'yes')).toBe('expected boolean or 0/1, got "yes"');
  });

  it('numberTriple checks length and element types', () => {
    expect(run(numberTriple, [1, 2.5, 3])).toEqual([1, 2.5, 3]);
    expect(reason(numberTriple, [1, 2])).toBe('expected array of 3 numbers, got array of length 2');
    expect(reason(numberTriple, [1, 2, null])).toBe('expected array of 3 numbers, got array of length 3');
  });

  it('prop and nullable report the path', () => {
    const soc = prop('soc', nullable(number));
    expect(run(soc, { soc: null })).toBeNull();
    expect(reason(soc, { soc: 'x' })).toBe('soc: expected number or null, got "x"');
    expect(reason(prop('a', prop('b', number)), { a: { b: [] } })).toBe('a.b: expected number, got array of length 0');
    expect(reason(soc, {})).toBe('expected key "soc", got object');
  });

  it('prop does not read inherited keys', () => {
    expect(run(prop('toString', nullable(number)), {})).toBeInstanceOf(Invalid);
  });

  it('idString turns integer ids into strings', () => {
    expect(run(idString, 0)).toBe('0');
    expect(run(idString, '7')).toBe('7');
    expect(run(idString, -1)).toBeInstanceOf(Invalid);
    expect(run(idString, 1.5)).toBeInstanceOf(Invalid);
    expect(run(idString, '')).toBeInstanceOf(Invalid);
  });

  it('idString takes ids only in the form openWB writes them, up to 999999', () => {
    expect(run(idString, 999_999)).toBe('999999');
    expect(run(idString, '999999')).toBe('999999');
    for (const input of [
      '00003',
      '03',
      '-1',
      'abc',
      '3.5',
      '1e3',
      ' 3',
      '3 ',
      '1000000',
      '1'.repeat(40),
      1_000_000,
      1e21,
      Number.NaN,
      null,
      true,
    ]) {
      expect(refusal(idString, input), JSON.stringify(input)).toBe('invalid-id');
    }
  });

  it('negated never yields -0', () => {
    expect(Object.is(run(negated(number), 0), 0)).toBe(true);
    expect(Object.is(run(negated(number), -0), 0)).toBe(true);
    expect(run(negated(number), -5230)).toBe(5230);
  });

  it('scaled removes float noise from kWh → Wh', () => {
    expect(1.005 * 1000).not.toBe(1005);
    expect(run(scaled(number, 1000), 1.005)).toBe(1005);
    expect(run(scaled(number, 1000), 1234.5678)).toBe(1234567.8);
  });

  it('secondsToMs keeps null', () => {
    expect(run(secondsToMs(nullable(number)), null)).toBeNull();
    expect(run(secondsToMs(number), 1716200000.1234)).toBe(1716200000123);
  });

  it('textNumber parses plain decimals strictly', () => {
    expect(['42', '-7.5', '+3', '.5', '1e3', ' 12 '].map((text) => run(textNumber, text))).toEqual([42, -7.5, 3, 0.5, 1000, 12]);
    for (const text of ['', 'nan', 'NaN', 'Infinity', '0x10', '1,5', '12abc', '1e999']) {
      expect(run(textNumber, text), text).toBeInstanceOf(Invalid);
    }
    expect(Object.is(run(textNumber, '-0'), 0)).toBe(true);
  });

  it('textFlag accepts 0 and 1 only', () => {
    expect(run(textFlag, '1')).toBe(true);
    expect(run(textFlag, '0\n')).toBe(false);
    expect(run(textFlag, 'true')).toBeInstanceOf(Invalid);
  });
});
