import { describe, expect, it } from 'vitest';
import { OpenWbDecoder } from '../../../src/openwb/decoder.ts';
import { filterMatches } from '../../../src/openwb/topics/matcher.ts';
import type { TopicTable } from '../../../src/openwb/topics/table.ts';
import { V19_TABLE } from '../../../src/openwb/topics/v19.ts';
import { V2_TABLE } from '../../../src/openwb/topics/v2.ts';
import { changesOf, decode, templateWith } from './helpers.ts';

const concreteTopics = (table: TopicTable) => table.rules.map((rule) => rule.pattern.replace('+', '1'));

describe('generation auto-detection', () => {
  it('starts undecided and is decided by the first 2.x topic', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    expect(decoder.generation).toBeUndefined();
    expect(decode(decoder, 'openWB/graph/lastlivevaluesJson', '{}')).toEqual({ kind: 'ignored' });
    expect(decoder.generation).toBeUndefined();
    expect(changesOf(decoder, 'openWB/system/version', '"2.2.2"')).toEqual([
      { kind: 'system', id: 'openwb', field: 'version', value: '2.2.2' },
    ]);
    expect(decoder.generation).toBe('2');
    expect(decode(decoder, 'openWB/lp/1/W', '11040')).toEqual({ kind: 'ignored' });
    expect(decode(decoder, 'openWB/system/Version', '1.9.304.0')).toEqual({ kind: 'ignored' });
    expect(decoder.generation).toBe('2');
  });

  it('detects 1.9 from an lp topic and then ignores 2.x topics', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    expect(changesOf(decoder, 'openWB/lp/1/W', '11040')).toEqual([{ kind: 'chargepoint', id: '1', field: 'power', value: 11040 }]);
    expect(decoder.generation).toBe('1.9');
    expect(decode(decoder, 'openWB/chargepoint/3/get/power', '11040.0')).toEqual({ kind: 'ignored' });
    expect(decode(decoder, 'openWB/system/version', '"2.2.2"')).toEqual({ kind: 'ignored' });
  });

  it('is decided by a known topic even when its payload is bad', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    expect(decode(decoder, 'openWB/chargepoint/3/get/power', '"oops"')).toMatchObject({ kind: 'invalid', generation: '2' });
    expect(decoder.generation).toBe('2');
  });

  it('is not decided by a topic whose id does not fit (which is refused)', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    expect(decode(decoder, 'openWB/lp/9/W', '1')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
    expect(decode(decoder, 'openWB/vehicle/template/name', '"x"')).toMatchObject({ kind: 'invalid', refusal: 'invalid-id' });
    expect(decoder.generation).toBeUndefined();
  });

  it('reports the configured generation without detection', () => {
    expect(new OpenWbDecoder({ mode: '1.9' }).generation).toBe('1.9');
    expect(new OpenWbDecoder({ mode: '2' }).generation).toBe('2');
  });

  it('rejects an unknown mode at construction', () => {
    // @ts-expect-error not a generation mode
    expect(() => new OpenWbDecoder({ mode: '3' })).toThrow(/generation mode/);
  });
});

describe('generation tables', () => {
  it('are disjoint: no topic of one generation is known to the other', () => {
    const only2 = new OpenWbDecoder({ mode: '2' });
    const only19 = new OpenWbDecoder({ mode: '1.9' });
    for (const topic of concreteTopics(V2_TABLE)) expect(decode(only19, topic, '1'), topic).toEqual({ kind: 'ignored' });
    for (const topic of concreteTopics(V19_TABLE)) expect(decode(only2, topic, '1'), topic).toEqual({ kind: 'ignored' });
  });

  it.each([V2_TABLE, V19_TABLE])('$generation: every rule is covered by a subscription', (table) => {
    for (const topic of concreteTopics(table)) {
      expect(
        table.subscriptions.some((filter) => filterMatches(filter, topic)),
        topic,
      ).toBe(true);
    }
  });

  it('does not subscribe to everything', () => {
    const all = new OpenWbDecoder({ mode: 'auto' }).subscriptions;
    expect(all.some((filter) => filter === 'openWB/#' || filter === '#')).toBe(false);
    expect(all.some((filter) => filterMatches(filter, 'openWB/graph/lastlivevaluesJson'))).toBe(false);
    expect(all.some((filter) => filterMatches(filter, 'openWB/log/client1/data'))).toBe(false);
    expect(all.some((filter) => filterMatches(filter, 'openWB/chargepoint/3/set/log'))).toBe(false);
  });

  it('subscribes per configured mode', () => {
    const v2 = new OpenWbDecoder({ mode: '2' }).subscriptions;
    const v19 = new OpenWbDecoder({ mode: '1.9' }).subscriptions;
    expect(v2).toContain('openWB/chargepoint/+/get/#');
    expect(v2).not.toContain('openWB/lp/+/+');
    expect(v19).toEqual([
      'openWB/system/Version',
      'openWB/system/Timestamp',
      'openWB/global/+',
      'openWB/lp/+/+',
      'openWB/config/get/sofort/lp/+/+',
      'openWB/evu/+',
      'openWB/pv/+',
      'openWB/housebattery/+',
    ]);
    expect(new OpenWbDecoder({ mode: 'auto' }).subscriptions).toEqual([...v2, ...v19]);
  });
});

describe('topic prefix', () => {
  const prefix = 'test-42/';

  it('is prepended to every subscription', () => {
    const subscriptions = new OpenWbDecoder({ mode: 'auto', topicPrefix: prefix }).subscriptions;
    expect(subscriptions.length).toBeGreaterThan(10);
    for (const filter of subscriptions) expect(filter.startsWith(`${prefix}openWB/`)).toBe(true);
  });

  it('is stripped before matching, and topics without it are ignored', () => {
    const decoder = new OpenWbDecoder({ mode: '2', topicPrefix: prefix });
    expect(changesOf(decoder, `${prefix}openWB/chargepoint/3/get/power`, '11040.0')).toEqual([
      { kind: 'chargepoint', id: '3', field: 'power', value: 11040 },
    ]);
    expect(decode(decoder, 'openWB/chargepoint/3/get/power', '11040.0')).toEqual({ kind: 'ignored' });
    expect(decode(decoder, 'test-4/openWB/chargepoint/3/get/power', '11040.0')).toEqual({ kind: 'ignored' });
  });

  it('keeps the full received topic in invalid outcomes', () => {
    const decoder = new OpenWbDecoder({ mode: '1.9', topicPrefix: prefix });
    expect(decode(decoder, `${prefix}openWB/lp/2/W`, 'abc')).toEqual({
      kind: 'invalid',
      generation: '1.9',
      topic: `${prefix}openWB/lp/2/W`,
      refusal: 'invalid-payload',
      reason: `${prefix}openWB/lp/2/W: expected decimal text, got "abc"`,
    });
  });
});

describe('empty payload (openWB deleted the retained topic)', () => {
  it('deletes every field a 2.x topic feeds', () => {
    const decoder = new OpenWbDecoder({ mode: '2' });
    expect(changesOf(decoder, 'openWB/chargepoint/3/get/connected_vehicle/info', '')).toEqual([
      { kind: 'chargepoint', id: '3', field: 'vehicleId', value: undefined },
      { kind: 'chargepoint', id: '3', field: 'vehicleName', value: undefined },
    ]);
    expect(changesOf(decoder, 'openWB/chargepoint/3/set/charge_template', '')).toEqual([
      { kind: 'chargepoint', id: '3', field: 'chargeMode', value: undefined },
      { kind: 'chargepoint', id: '3', field: 'chargeTemplate', value: undefined },
    ]);
    expect(changesOf(decoder, 'openWB/counter/get/hierarchy', '')).toEqual([
      { kind: 'system', id: 'openwb', field: 'gridCounterId', value: undefined },
    ]);
  });

  it('deletes 1.9 fields too, and decides the generation in auto mode', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    expect(changesOf(decoder, 'openWB/lp/3/lastRfId', '')).toEqual([{ kind: 'chargepoint', id: '3', field: 'rfidTag', value: undefined }]);
    expect(decoder.generation).toBe('1.9');
  });

  it('still ignores unknown topics', () => {
    expect(decode(new OpenWbDecoder({ mode: '2' }), 'openWB/chargepoint/3/get/frequency', '')).toEqual({ kind: 'ignored' });
  });
});

describe('robustness', () => {
  const garbage = [
    '',
    ' ',
    'null',
    '[]',
    '{}',
    '[[[',
    '"',
    '-',
    '1e999',
    '\u0000\u00ff',
    '{"chargemode":{"selected":{}}}',
    '[null,null,null]',
    'true',
  ];

  it('never throws on any known topic with any payload', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto' });
    const topics = [...concreteTopics(V2_TABLE), ...concreteTopics(V19_TABLE)];
    for (const topic of topics) {
      for (const payload of garbage) {
        const outcome = decoder.decode(topic, Buffer.from(payload));
        expect(['updates', 'invalid', 'ignored']).toContain(outcome.kind);
      }
    }
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    expect(() => new OpenWbDecoder({ mode: '2' }).decode('openWB/chargepoint/1/get/power', binary)).not.toThrow();
  });

  it('only emits JSON-safe, finite numbers', () => {
    const decoder = new OpenWbDecoder({ mode: '2' });
    expect(decode(decoder, 'openWB/chargepoint/3/get/power', '1e999')).toMatchObject({ kind: 'invalid' });
    expect(decode(decoder, 'openWB/chargepoint/3/get/currents', '[1e999,0,0]')).toMatchObject({ kind: 'invalid' });
  });

  it('keeps Min+PV memory per decoder instance', () => {
    const first = new OpenWbDecoder({ mode: '2' });
    const second = new OpenWbDecoder({ mode: '2' });
    changesOf(first, 'openWB/chargepoint/3/set/charge_template', templateWith('pv_charging', 6));
    const config = '{"chargemode":"pv_charging"}';
    expect(changesOf(second, 'openWB/chargepoint/3/get/connected_vehicle/config', config)[0]?.value).toBe('pv');
    expect(changesOf(first, 'openWB/chargepoint/3/get/connected_vehicle/config', config)[0]?.value).toBe('minPv');
  });

  it('decodes a realistic message mix fast enough for the ingest (>20k msg/s)', () => {
    const decoder = new OpenWbDecoder({ mode: 'auto', topicPrefix: 'p/' });
    const messages = [
      ['p/openWB/chargepoint/3/get/power', '11040.0'],
      ['p/openWB/chargepoint/3/get/currents', '[16.0,16.0,16.0]'],
      ['p/openWB/chargepoint/3/get/powers', '[3680.0,3680.0,3680.0]'],
      ['p/openWB/counter/0/get/power', '1520.5'],
      ['p/openWB/pv/get/power', '-5230.0'],
      ['p/openWB/chargepoint/3/get/state_str', '"Fahrzeug lädt."'],
    ].map(([topic, payload]) => [topic!, Buffer.from(payload!)] as const);
    const count = 100_000;
    const started = performance.now();
    for (let index = 0; index < count; index++) {
      const [topic, payload] = messages[index % messages.length]!;
      decoder.decode(topic, payload);
    }
    const perSecond = count / ((performance.now() - started) / 1000);
    // Generous floor so a loaded CI machine does not flake; typical figures are far higher.
    expect(perSecond).toBeGreaterThan(50_000);
  });
});
