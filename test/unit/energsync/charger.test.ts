import { describe, expect, it } from 'vitest';
import { toCharger } from '../../../src/energsync/charger.ts';
import { decodeChargePoint } from '../../../src/live/views.ts';

const stamped = (value: unknown) => ({ value: value as never, receivedAt: 1 });
const view = (fields: Record<string, unknown>) =>
  decodeChargePoint('3', Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, stamped(value)])));

describe('a chargepoint as an EnergSync charger', () => {
  it('takes name, serial number, EVSE current and phases from openWB, and derives the power', () => {
    const charger = toCharger(
      '3',
      view({ name: 'Garage', serialNumber: 'SN-3', maxEvseCurrent: 16, connectedPhases: 3 }),
      { outputVoltage: 230 },
      'UTC',
    );
    expect(charger).toMatchObject({ name: 'Garage', serialNumber: 'SN-3', maxAvailableCurrent: 16, maxOutputPower: 11040 });
  });

  it('lets configured facts win over openWB', () => {
    const charger = toCharger(
      '3',
      view({ name: 'Garage', serialNumber: 'SN-3', maxEvseCurrent: 32, connectedPhases: 3 }),
      { name: 'Carport', maxAvailableCurrent: 16, phases: 1, outputVoltage: 240, maxOutputPower: 3700 },
      'UTC',
    );
    expect(charger).toMatchObject({
      name: 'Carport',
      serialNumber: 'SN-3',
      maxAvailableCurrent: 16,
      outputVoltage: 240,
      maxOutputPower: 3700,
    });
  });

  it('answers null for what neither knows, and a name for a charger openWB never published', () => {
    expect(toCharger('7', undefined, { outputVoltage: 230 }, 'Europe/Berlin')).toEqual({
      id: '7',
      name: 'Chargepoint 7',
      serialNumber: null,
      model: null,
      manufacturer: null,
      maxAvailableCurrent: null,
      maxOutputPower: null,
      outputVoltage: 230,
      numberOfConnectors: 1,
      timeZone: 'Europe/Berlin',
      latitude: null,
      longitude: null,
      commissioningDate: null,
    });
  });
});
