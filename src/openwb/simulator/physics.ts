import { BAT_CAPACITY_WH, MAX_BAT_POWER_W, NOMINAL_VOLTAGE, PV_PEAK_W } from './catalog.ts';
import { numberAt } from './json.ts';
import type { ChargepointState, SimState, Triple } from './state.ts';
import { batteryCapacityWh, evTemplateOf, vehicleOf } from './state.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SUNRISE_H = 6;
const DAYLIGHT_H = 14;
const CLOUD_BASE = 0.93;
const HOME_BASE_W = 480;
const BAT_MIN_SOC = 5;

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return rounded === 0 ? 0 : rounded;
}

export function triple(fn: (phase: number) => number): Triple {
  return [fn(0), fn(1), fn(2)];
}

/** Deterministic pseudo-noise in [-1, 1] per cycle and channel, so runs repeat exactly. */
export function noise(cycle: number, channel: number): number {
  let h = Math.imul(cycle ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(channel + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return ((h >>> 0) / 0xffffffff) * 2 - 1;
}

/** UTC keeps the day curve independent of the host's time zone. */
export function utcHours(nowMs: number): number {
  return (((nowMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

export function utcDayKey(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

function clearSkyPvW(nowMs: number): number {
  const hours = utcHours(nowMs) - SUNRISE_H;
  if (hours <= 0 || hours >= DAYLIGHT_H) return 0;
  return PV_PEAK_W * Math.sin((Math.PI * hours) / DAYLIGHT_H);
}

/** PV production in W, positive; openWB publishes it negated. */
export function pvPowerW(nowMs: number, cycle: number): number {
  const clearSky = clearSkyPvW(nowMs);
  return clearSky === 0 ? 0 : round(clearSky * (CLOUD_BASE + 0.05 * noise(cycle, 1)), 1);
}

export function pvEnergyTodayWh(nowMs: number): number {
  const hours = Math.min(Math.max(utcHours(nowMs) - SUNRISE_H, 0), DAYLIGHT_H);
  return ((PV_PEAK_W * DAYLIGHT_H) / Math.PI) * (1 - Math.cos((Math.PI * hours) / DAYLIGHT_H)) * CLOUD_BASE;
}

/** 300–800 W: an evening peak plus short appliance bursts. */
export function homePowerW(nowMs: number, cycle: number): number {
  const evening = 120 * Math.cos((2 * Math.PI * (utcHours(nowMs) - 19)) / 24);
  const appliance = cycle % 23 < 3 ? 150 : 0;
  const value = HOME_BASE_W + evening + appliance + 40 * noise(cycle, 2);
  return round(Math.min(800, Math.max(300, value)), 1);
}

export function homeEnergyTodayWh(nowMs: number): number {
  return HOME_BASE_W * utcHours(nowMs);
}

export function rollDay(state: SimState, nowMs: number): void {
  const key = utcDayKey(nowMs);
  if (key === state.dayKey) return;
  state.dayKey = key;
  for (const cp of state.chargepoints.values()) {
    cp.dailyImported = 0;
    cp.dailyExported = 0;
  }
  const { grid, pv, bat, home } = state.site;
  grid.dailyImported = 0;
  grid.dailyExported = 0;
  pv.dailyExported = 0;
  bat.dailyImported = 0;
  bat.dailyExported = 0;
  home.dailyImported = 0;
}

/**
 * Reads every meter of this cycle: chargepoints first (they draw what the EVSE allowed last cycle), then the site.
 * Energy counters advance by `seconds` of the measured power.
 */
export function measure(state: SimState, nowMs: number, seconds: number): void {
  const voltages = triple((phase) => round(NOMINAL_VOLTAGE + 1.5 * noise(state.cycle, 3 + phase), 1));
  const frequency = round(50 + 0.03 * noise(state.cycle, 6), 2);
  const cpPhasePowers: Triple = [0, 0, 0];
  let evPower = 0;
  for (const cp of state.chargepoints.values()) {
    measureChargepoint(state, cp, voltages, frequency, seconds);
    cp.powers.forEach((power, phase) => (cpPhasePowers[phase] = (cpPhasePowers[phase] ?? 0) + power));
    evPower += cp.power;
  }
  balanceSite(state, nowMs, seconds, evPower, cpPhasePowers, voltages, frequency);
}

function measureChargepoint(state: SimState, cp: ChargepointState, voltages: Triple, frequency: number, seconds: number): void {
  const vehicle = vehicleOf(state, cp);
  const evTemplate = evTemplateOf(state, vehicle);
  const full = vehicle.soc !== null && vehicle.soc >= 100;
  const drawing = cp.plugged && cp.appliedCurrent > 0 && !full;
  const phases = Math.min(cp.config.connected_phases, cp.appliedPhases, numberAt(evTemplate, 'max_phases') ?? 3);
  cp.evseCurrent = cp.appliedCurrent;
  cp.currents = triple((phase) => (drawing && phase < phases ? cp.appliedCurrent : 0));
  cp.voltages = [...voltages];
  cp.powers = triple((phase) => round(cp.currents[phase]! * voltages[phase]!, 2));
  cp.power = round(cp.powers[0] + cp.powers[1] + cp.powers[2], 2);
  cp.powerFactors = triple((phase) => (cp.currents[phase]! > 0 ? 0.99 : 0));
  cp.frequency = frequency;
  cp.chargeState = drawing;
  if (drawing) cp.phasesInUse = phases;
  cp.cycleEnergyWh = (cp.power * seconds) / 3600;
  cp.imported += cp.cycleEnergyWh;
  cp.dailyImported += cp.cycleEnergyWh;
  if (drawing && vehicle.soc !== null) {
    const efficiency = (numberAt(evTemplate, 'efficiency') ?? 90) / 100;
    vehicle.soc = Math.min(100, vehicle.soc + ((cp.cycleEnergyWh * efficiency) / batteryCapacityWh(state, vehicle)) * 100);
    vehicle.socTimestamp = state.timeSec;
  }
}

/** Battery follows the PV surplus (ev_mode: the EV has priority); the grid takes the rest. */
function balanceSite(
  state: SimState,
  nowMs: number,
  seconds: number,
  evPower: number,
  cpPhasePowers: Triple,
  voltages: Triple,
  frequency: number,
): void {
  const { grid, pv, bat, home } = state.site;
  const hours = seconds / 3600;
  pv.power = pvPowerW(nowMs, state.cycle);
  home.power = homePowerW(nowMs, state.cycle);
  let batPower = Math.min(MAX_BAT_POWER_W, Math.max(-MAX_BAT_POWER_W, pv.power - home.power - evPower));
  if ((batPower > 0 && bat.soc >= 100) || (batPower < 0 && bat.soc <= BAT_MIN_SOC)) batPower = 0;
  bat.power = round(batPower, 1);
  grid.power = round(home.power + evPower + bat.power - pv.power, 2);

  pv.currents = triple(() => round(-pv.power / 3 / NOMINAL_VOLTAGE, 2));
  pv.exported += pv.power * hours;
  pv.dailyExported += pv.power * hours;
  pv.monthlyExported += pv.power * hours;
  pv.yearlyExported += pv.power * hours;

  bat.currents = triple(() => round(bat.power / 3 / NOMINAL_VOLTAGE, 2));
  bat.soc = Math.min(100, Math.max(0, bat.soc + ((bat.power * hours) / BAT_CAPACITY_WH) * 100));
  bat.imported += Math.max(bat.power, 0) * hours;
  bat.dailyImported += Math.max(bat.power, 0) * hours;
  bat.exported += Math.max(-bat.power, 0) * hours;
  bat.dailyExported += Math.max(-bat.power, 0) * hours;

  home.imported += home.power * hours;
  home.dailyImported += home.power * hours;

  grid.imported += Math.max(grid.power, 0) * hours;
  grid.dailyImported += Math.max(grid.power, 0) * hours;
  grid.exported += Math.max(-grid.power, 0) * hours;
  grid.dailyExported += Math.max(-grid.power, 0) * hours;
  const sharedPhasePower = (home.power + bat.power - pv.power) / 3;
  grid.voltages = [...voltages];
  grid.frequency = frequency;
  grid.powers = triple((phase) => round(cpPhasePowers[phase]! + sharedPhasePower, 2));
  grid.currents = triple((phase) => round(grid.powers[phase]! / voltages[phase]!, 2));

  const consumption = home.power + evPower + Math.max(bat.power, 0);
  const pvUsed = pv.power - Math.max(-grid.power, 0);
  state.site.sourceShares =
    consumption > 0
      ? { grid: Math.max(grid.power, 0) / consumption, pv: Math.max(pvUsed, 0) / consumption, bat: Math.max(-bat.power, 0) / consumption }
      : { grid: 1, pv: 0, bat: 0 };
}
