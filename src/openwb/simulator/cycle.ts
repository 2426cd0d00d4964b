import { control } from './control.ts';
import { measure, rollDay } from './physics.ts';
import type { ScenarioDriver } from './scenario.ts';
import type { SimState } from './state.ts';

/** One openWB control cycle: the drivers act, the meters are read, the control algorithm answers. */
export function runCycle(state: SimState, nowMs: number, driver: ScenarioDriver): void {
  state.cycle += 1;
  state.timeSec = nowMs / 1000;
  rollDay(state, nowMs);
  driver.beforeMeasurement(state);
  measure(state, nowMs, state.cycleSeconds);
  control(state);
  // Scans land after the control step, so openWB binds them in the following cycle.
  driver.afterControl(state);
}

/** The readings openWB has on start-up, before any time has passed: powers and texts, no energy. */
export function primeState(state: SimState, nowMs: number): void {
  measure(state, nowMs, 0);
  control(state);
}
