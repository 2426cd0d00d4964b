import { acceptScannedTag } from './rfid.ts';
import type { SimState } from './state.ts';

/** Cycle counts of the demo drive: a full session takes about seven minutes at the default 10 s cycle. */
export const SCENARIO = {
  idleCycles: 6,
  scanAfterPlugCycles: 2,
  pluggedCycles: 36,
} as const;

interface Script {
  vehicleId: number;
  tag: string;
  idleSince: number;
  pluggedSince: number | null;
  socAtPlug: number | null | undefined;
}

/**
 * The drivers: they plug in, scan their tag and unplug on a fixed cycle schedule. What openWB does in reaction
 * (binding, unlocking, charging) is the control step's business, not theirs.
 */
export class ScenarioDriver {
  private readonly scripts = new Map<number, Script>([
    [3, { vehicleId: 1, tag: '04A1B2C3', idleSince: 0, pluggedSince: null, socAtPlug: undefined }],
    [4, { vehicleId: 2, tag: '1234567890', idleSince: 14, pluggedSince: null, socAtPlug: undefined }],
  ]);

  /** A chargepoint driven by hand (tests, CLI) is left alone from then on. */
  release(chargepointId: number): void {
    this.scripts.delete(chargepointId);
  }

  beforeMeasurement(state: SimState): void {
    for (const [id, script] of this.scripts) {
      const cp = state.chargepoints.get(id);
      if (cp === undefined) continue;
      if (script.pluggedSince === null && state.cycle - script.idleSince >= SCENARIO.idleCycles) {
        cp.plugged = true;
        script.pluggedSince = state.cycle;
        this.returnFromDrive(state, script);
      } else if (script.pluggedSince !== null && state.cycle - script.pluggedSince >= SCENARIO.pluggedCycles) {
        cp.plugged = false;
        script.pluggedSince = null;
        script.idleSince = state.cycle;
      }
    }
  }

  afterControl(state: SimState): void {
    for (const [id, script] of this.scripts) {
      const cp = state.chargepoints.get(id);
      if (cp !== undefined && script.pluggedSince !== null && state.cycle - script.pluggedSince === SCENARIO.scanAfterPlugCycles) {
        acceptScannedTag(cp, script.tag, state.timeSec);
      }
    }
  }

  /** The car comes back having used what it charged last time, so a long demo never ends with full batteries. */
  private returnFromDrive(state: SimState, script: Script): void {
    const vehicle = state.vehicles.get(script.vehicleId);
    if (vehicle === undefined) return;
    if (script.socAtPlug === undefined) script.socAtPlug = vehicle.soc;
    else vehicle.soc = script.socAtPlug;
  }
}
