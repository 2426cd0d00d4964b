/** An openWB chargepoint as EnergSync describes a charger: live facts from openWB, the rest from configuration. */
import type { Schemas } from '../api/types.ts';
import type { ChargePointView } from '../live/views.ts';
import type { ChargerFacts } from './config-schema.ts';

export type Charger = Schemas['EnergSyncCharger'];

/**
 * `facts`: the configured facts of this charger over those of every charger; a configured fact wins over
 * openWB's (the owner knows the installation: a current limit below the EVSE's, a replaced serial number).
 * `view`: undefined for a charger only configured, not (or no longer) published by openWB.
 */
export function toCharger(id: string, view: ChargePointView | undefined, facts: ChargerFacts, timeZone: string): Charger {
  const live = view?.fields;
  const current = facts.maxAvailableCurrent ?? live?.maxEvseCurrent?.value ?? null;
  const voltage = facts.outputVoltage ?? null;
  const phases = facts.phases ?? live?.connectedPhases?.value ?? null;
  const derivedPower = current !== null && voltage !== null && phases !== null ? Math.round(current * voltage * phases) : null;
  return {
    id,
    name: facts.name ?? live?.name?.value ?? `Chargepoint ${id}`,
    serialNumber: facts.serialNumber ?? live?.serialNumber?.value ?? null,
    model: facts.model ?? null,
    manufacturer: facts.manufacturer ?? null,
    maxAvailableCurrent: current,
    maxOutputPower: facts.maxOutputPower ?? derivedPower,
    outputVoltage: voltage,
    numberOfConnectors: facts.numberOfConnectors ?? 1,
    timeZone,
    latitude: facts.latitude ?? null,
    longitude: facts.longitude ?? null,
    commissioningDate: facts.commissioningDate ?? null,
  };
}
