import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../src/errors.ts';
import { refusal } from '../../../src/control/allow-list.ts';
import type { Plan } from '../../../src/control/model.ts';
import {
  chargeTemplatePlan,
  lockPlan,
  manualSocPlan,
  socModulePlan,
  socUpdatePlan,
  templatePlan,
  vehiclePlan,
} from '../../../src/control/plan-v2.ts';
import { chargeModePlan19, instantPlan19, lockPlan19, manualSocPlan19, socUpdatePlan19 } from '../../../src/control/plan-v19.ts';
import type { JsonObject } from '../../../src/control/template-edit.ts';
import { preferredWait } from '../../../src/control/views.ts';
import { CHARGE_TEMPLATE } from '../openwb/helpers.ts';

const messages = (plan: Plan) => plan.messages.map((m) => [m.topic, m.payload]);
const allowed = (plan: Plan) => plan.messages.every((m) => refusal(m.topic, m.payload) === undefined);

describe('openWB 2.x plans', () => {
  it('publishes the whole template to the chargepoint set topic', () => {
    const plan = templatePlan('3', structuredClone(CHARGE_TEMPLATE) as unknown as JsonObject, { chargeMode: 'stop' });
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0]!.topic).toBe('openWB/set/chargepoint/3/set/charge_template');
    const sent = JSON.parse(plan.messages[0]!.payload);
    expect(sent).toEqual({ ...CHARGE_TEMPLATE, chargemode: { ...CHARGE_TEMPLATE.chargemode, selected: 'stop' } });
    expect(plan.expectations).toEqual([
      { ref: { kind: 'chargepoint', id: '3' }, field: 'chargeTemplate', path: ['chargemode', 'selected'], equals: 'stop' },
    ]);
    expect(allowed(plan)).toBe(true);
  });

  it('uses openWB types: bool, int (never 1.0), number, JSON', () => {
    expect(messages(lockPlan('3', true))).toEqual([['openWB/set/chargepoint/3/set/manual_lock', 'true']]);
    expect(messages(vehiclePlan('3', '2'))).toEqual([['openWB/set/chargepoint/3/config/ev', '2']]);
    expect(messages(manualSocPlan('1', 42.5))).toEqual([['openWB/set/vehicle/1/soc_module/calculated_soc_state/manual_soc', '42.5']]);
    expect(messages(socUpdatePlan('1'))).toEqual([['openWB/set/vehicle/1/get/force_soc_update', 'true']]);
    expect(messages(chargeTemplatePlan('1', '2'))).toEqual([['openWB/set/vehicle/1/charge_template', '2']]);
    expect(messages(socModulePlan('1', { type: 'manual', configuration: {} }))).toEqual([
      ['openWB/set/vehicle/1/soc_module/config', '{"type":"manual","configuration":{}}'],
    ]);
    for (const plan of [
      lockPlan('3', false),
      vehiclePlan('3', '0'),
      manualSocPlan('1', 0),
      socUpdatePlan('1'),
      chargeTemplatePlan('1', '2'),
    ])
      expect(allowed(plan)).toBe(true);
  });

  it('confirms requests only by a fresh value', () => {
    expect(socUpdatePlan('1').expectations).toEqual([
      { ref: { kind: 'vehicle', id: '1' }, field: 'forceSocUpdate', equals: true, fresh: true },
    ]);
    expect(manualSocPlan('1', 50).expectations[0]).toMatchObject({ field: 'manualSoc', equals: 50, fresh: true });
  });

  it('refuses ids openWB 2.x cannot have', () => {
    expect(() => lockPlan('lp1', true)).toThrow(/not an openWB 2.x id/);
    expect(() => vehiclePlan('3', 'x')).toThrow(/Vehicle x/);
  });
});

describe('openWB 1.9 plans (plain text)', () => {
  it('sets the global charge mode 0..3 and has no eco or scheduled', () => {
    expect(messages(chargeModePlan19('instant'))).toEqual([['openWB/set/ChargeMode', '0']]);
    expect(messages(chargeModePlan19('minPv'))).toEqual([['openWB/set/ChargeMode', '1']]);
    expect(messages(chargeModePlan19('pv'))).toEqual([['openWB/set/ChargeMode', '2']]);
    expect(messages(chargeModePlan19('stop'))).toEqual([['openWB/set/ChargeMode', '3']]);
    expect(chargeModePlan19('pv').expectations).toEqual([{ ref: { kind: 'system', id: 'openwb' }, field: 'chargeMode', equals: 'pv' }]);
    expect(() => chargeModePlan19('eco')).toThrow(/no eco charge mode/);
    expect(() => chargeModePlan19('scheduled')).toThrow(/no scheduled charge mode/);
  });

  it('writes instant charging to config/set/sofort, the limit type last, energy in kWh', () => {
    const plan = instantPlan19('1', { current: 16, limit: { type: 'energy', energy: 12_000 } });
    expect(messages(plan)).toEqual([
      ['openWB/config/set/sofort/lp/1/current', '16'],
      ['openWB/config/set/sofort/lp/1/energyToCharge', '12'],
      ['openWB/config/set/sofort/lp/1/chargeLimitation', '1'],
    ]);
    expect(plan.expectations.map((e) => [e.field, e.equals])).toEqual([
      ['instantCurrent', 16],
      ['instantEnergyLimit', 12_000],
      ['instantLimit', 'energy'],
    ]);
    expect(messages(instantPlan19('2', { limit: { type: 'soc', soc: 80 } }))).toEqual([
      ['openWB/config/set/sofort/lp/2/socToChargeTo', '80'],
      ['openWB/config/set/sofort/lp/2/chargeLimitation', '2'],
    ]);
    expect(allowed(plan)).toBe(true);
  });

  it.each([
    [() => instantPlan19('1', { phases: 3 }), /no per-chargepoint phase/],
    [() => instantPlan19('3', { limit: { type: 'soc', soc: 80 } }), /chargepoints 1 and 2/],
    [() => instantPlan19('1', { limit: { type: 'energy', energy: 1500 } }), /whole kWh/],
    [() => instantPlan19('1', { limit: { type: 'energy', energy: 101_000 } }), /whole kWh/],
    [() => instantPlan19('9', { current: 10 }), /1…8/],
    [() => manualSocPlan19('3', 50), /chargepoints 1 and 2/],
    [() => manualSocPlan19('1', 50.5), /whole percentage/],
  ])('refuses what 1.9 cannot do (%#)', (plan, message) => {
    expect(plan).toThrow(message);
  });

  it('locks with ChargePointEnabled 0, sets manual SoC, requests SoC without confirmation', () => {
    expect(messages(lockPlan19('2', true))).toEqual([['openWB/set/lp/2/ChargePointEnabled', '0']]);
    expect(messages(lockPlan19('2', false))).toEqual([['openWB/set/lp/2/ChargePointEnabled', '1']]);
    expect(messages(manualSocPlan19('1', 55))).toEqual([['openWB/set/lp/1/manualSoc', '55']]);
    const update = socUpdatePlan19('1');
    expect(messages(update)).toEqual([['openWB/set/lp/1/ForceSoCUpdate', '1']]);
    expect(update.expectations).toEqual([]);
    expect(update.unconfirmable).toMatch(/nothing that confirms/);
  });
});

describe('allow-list', () => {
  it.each([
    ['openWB/set/chargepoint/3/set/current', '16', /not on the allow-list/],
    ['openWB/set/vehicle/1/name', '"x"', /not on the allow-list/],
    ['openWB/set/command/x/todo', '{}', /not on the allow-list/],
    ['openWB/chargepoint/3/set/manual_lock', 'true', /not on the allow-list/],
    ['openWB/set/chargepoint/3/set/manual_lock', '1', /not valid/],
    ['openWB/set/chargepoint/3/config/ev', '1.0', /not valid/],
    ['openWB/set/chargepoint/3/set/charge_template', '[1]', /not valid/],
    ['openWB/set/vehicle/1/soc_module/calculated_soc_state/manual_soc', '101', /not valid/],
    ['openWB/set/ChargeMode', '4', /not valid/],
    ['openWB/config/set/sofort/lp/3/socToChargeTo', '80', /not on the allow-list/],
    ['openWB/config/set/sofort/lp/1/current', '5', /not valid/],
  ])('refuses %s %s', (topic, payload, reason) => {
    expect(refusal(topic, payload)).toMatch(reason);
  });
});

describe('Prefer (RFC 7240)', () => {
  it.each([
    [undefined, 20_000, undefined],
    ['respond-async', 0, 'respond-async'],
    ['wait=5', 5_000, 'wait=5'],
    ['respond-async, wait=3', 3_000, 'wait=3'],
    ['wait=600', 20_000, 'wait=20'],
    ['handling=lenient', 20_000, undefined],
  ])('%s → %i ms', (prefer, waitMs, applied) => {
    expect(preferredWait(prefer, 20_000)).toEqual({ waitMs, ...(applied ? { applied } : {}) });
  });
});

describe('command publisher', () => {
  const fakeClient = (connected = true) => {
    const sent: [string, string, object][] = [];
    return {
      sent,
      client: {
        connected,
        publishAsync: async (topic: string, payload: string, options: object) => void sent.push([topic, payload, options]),
      },
    };
  };

  it('publishes allow-listed messages with the prefix, not retained, at COMMAND_QOS', async () => {
    const { MqttCommandPublisher } = await import('../../../src/control/publisher.ts');
    const { sent, client } = fakeClient();
    await new MqttCommandPublisher(client as never, { topicPrefix: 'home/', qos: 1 }).publish({
      topic: 'openWB/set/chargepoint/3/set/manual_lock',
      payload: 'true',
    });
    expect(sent).toEqual([['home/openWB/set/chargepoint/3/set/manual_lock', 'true', { qos: 1, retain: false }]]);
  });

  it('refuses anything else and publishes nothing; 503 while disconnected', async () => {
    const { MqttCommandPublisher, DisallowedPublishError } = await import('../../../src/control/publisher.ts');
    const { sent, client } = fakeClient();
    const publisher = new MqttCommandPublisher(client as never, { topicPrefix: '', qos: 1 });
    await expect(publisher.publish({ topic: 'openWB/set/vehicle/1/name', payload: '"x"' })).rejects.toBeInstanceOf(DisallowedPublishError);
    await expect(publisher.publish({ topic: 'openWB/set/chargepoint/3/config/ev', payload: '1.5' })).rejects.toBeInstanceOf(
      DisallowedPublishError,
    );
    expect(sent).toEqual([]);
    const offline = new MqttCommandPublisher(fakeClient(false).client as never, { topicPrefix: '', qos: 1 });
    await expect(offline.publish({ topic: 'openWB/set/chargepoint/3/set/manual_lock', payload: 'true' })).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });
});
