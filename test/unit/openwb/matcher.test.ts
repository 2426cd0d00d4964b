import { describe, expect, it } from 'vitest';
import { filterMatches, TopicMatcher } from '../../../src/openwb/topics/matcher.ts';

const rules = [
  { pattern: 'openWB/chargepoint/+/get/power' },
  { pattern: 'openWB/chargepoint/+/get/connected_vehicle/info' },
  { pattern: 'openWB/chargepoint/get/power' },
  { pattern: 'openWB/pv/get/power' },
  { pattern: 'a/+/b/+' },
];

describe('TopicMatcher', () => {
  const matcher = new TopicMatcher(rules);

  it('matches exact patterns without params', () => {
    expect(matcher.match('openWB/pv/get/power')).toEqual({ rule: rules[3], params: [] });
  });

  it('returns the wildcard segments as params', () => {
    expect(matcher.match('openWB/chargepoint/12/get/power')).toEqual({ rule: rules[0], params: ['12'] });
    expect(matcher.match('openWB/chargepoint/3/get/connected_vehicle/info')).toEqual({ rule: rules[1], params: ['3'] });
    expect(matcher.match('a/x/b/y')).toEqual({ rule: rules[4], params: ['x', 'y'] });
  });

  it('prefers an exact pattern over a wildcard of the same length', () => {
    expect(matcher.match('openWB/chargepoint/get/power')?.rule).toBe(rules[2]);
  });

  it('does not match other lengths or segments', () => {
    expect(matcher.match('openWB/chargepoint/3/get/power/x')).toBeUndefined();
    expect(matcher.match('openWB/chargepoint/3/get')).toBeUndefined();
    expect(matcher.match('openWB/chargepoint/3/get/powers')).toBeUndefined();
    expect(matcher.match('openwb/pv/get/power')).toBeUndefined();
    expect(matcher.match('')).toBeUndefined();
  });

  it('can be reused: matching does not corrupt later lookups', () => {
    expect(matcher.match('openWB/chargepoint/1/get/powerX')).toBeUndefined();
    expect(matcher.match('openWB/chargepoint/2/get/power')?.params).toEqual(['2']);
  });

  it('rejects duplicate and multi-level patterns at construction', () => {
    expect(() => new TopicMatcher([{ pattern: 'a/+' }, { pattern: 'a/+' }])).toThrow(/twice/);
    expect(() => new TopicMatcher([{ pattern: 'a/#' }])).toThrow(/not supported/);
  });
});

describe('filterMatches', () => {
  it.each([
    ['openWB/chargepoint/+/get/#', 'openWB/chargepoint/3/get/connected_vehicle/info', true],
    ['openWB/chargepoint/+/get/#', 'openWB/chargepoint/3/get', true],
    ['openWB/chargepoint/+/get/#', 'openWB/chargepoint/3/set/rfid', false],
    ['openWB/lp/+/+', 'openWB/lp/1/W', true],
    ['openWB/lp/+/+', 'openWB/lp/1/W/x', false],
    ['openWB/lp/+/+', 'openWB/lp/1', false],
    ['openWB/system/version', 'openWB/system/Version', false],
  ])('%s ~ %s → %s', (filter, topic, expected) => {
    expect(filterMatches(filter, topic)).toBe(expected);
  });
});
