/**
 * Read-modify-write of an openWB 2.x charge template, pure: only the requested leaves change, `id` and every
 * other key stay as they were (openWB resets missing keys to defaults and persists them). Returns the whole
 * new template and, per changed leaf, its path and value, which is what confirms the command.
 */
import { InvalidInputError, ConflictError } from '../errors.ts';
import type { Json } from '../live/model.ts';
import type { ApiChargeMode, ChargeLimit, InstantChargingRequest, PvChargingRequest } from './model.ts';

export type JsonObject = { [key: string]: Json };

export interface TemplateEdit {
  chargeMode?: ApiChargeMode;
  /** Minimum current for `minPv`, A. */
  minPvCurrent?: number;
  instantCharging?: InstantChargingRequest;
  pvCharging?: PvChargingRequest;
}

export interface EditedTemplate {
  template: JsonObject;
  changes: { path: string[]; value: Json }[];
  /** A Min+PV minimum current worth remembering for a later switch back from PV only (A). */
  minPvCurrent?: number;
}

export const OPENWB_MODES: Readonly<Record<ApiChargeMode, string>> = {
  instant: 'instant_charging',
  pv: 'pv_charging',
  minPv: 'pv_charging',
  eco: 'eco_charging',
  scheduled: 'scheduled_charging',
  stop: 'stop',
};

/** openWB's lowest AC charging current; the Min+PV default when nothing better is known. */
export const DEFAULT_MIN_PV_CURRENT = 6;

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

export function valueAt(value: Json | undefined, path: readonly string[]): Json | undefined {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Checks combinations the schema cannot express; throws 400. */
export function checkEdit(edit: TemplateEdit): void {
  const pvMin = edit.pvCharging?.minCurrent;
  if (pvMin !== undefined && pvMin > 0 && pvMin < DEFAULT_MIN_PV_CURRENT) {
    throw new InvalidInputError(`pvCharging.minCurrent: ${pvMin} A is below openWB's minimum of 6 A (0 means PV only)`);
  }
  if (edit.chargeMode === 'pv' && pvMin !== undefined && pvMin > 0) {
    throw new InvalidInputError('chargeMode pv means PV only (minimum current 0): use minPv for a minimum current');
  }
  if (edit.chargeMode === 'minPv' && pvMin === 0) throw new InvalidInputError('chargeMode minPv needs a minimum current above 0');
  if (edit.minPvCurrent !== undefined && edit.chargeMode !== 'minPv') throw new InvalidInputError('minCurrent: only with mode minPv');
  for (const [name, limit] of [
    ['instantCharging', edit.instantCharging?.limit],
    ['pvCharging', edit.pvCharging?.limit],
  ] as const) {
    if (limit?.type === 'soc' && limit.energy !== undefined)
      throw new InvalidInputError(`${name}.limit: energy does not belong to a soc limit`);
    if (limit?.type === 'energy' && limit.soc !== undefined)
      throw new InvalidInputError(`${name}.limit: soc does not belong to an energy limit`);
  }
}

class Editor {
  readonly changes: { path: string[]; value: Json }[] = [];
  constructor(readonly template: JsonObject) {}

  set(path: string[], value: Json | undefined): void {
    if (value === undefined) return;
    let node = this.template;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (!isObject(next)) node[key] = {};
      node = node[key] as JsonObject;
    }
    node[path[path.length - 1] as string] = value;
    this.changes.push({ path, value });
  }

  limit(mode: string, limit: ChargeLimit | undefined): void {
    if (!limit) return;
    const at = ['chargemode', mode, 'limit'];
    this.set([...at, 'selected'], limit.type === 'energy' ? 'amount' : limit.type);
    this.set([...at, 'soc'], limit.soc);
    this.set([...at, 'amount'], limit.energy);
  }
}

/**
 * Applies `edit` to a copy of `base`. `rememberedMinPv` is the last Min+PV current used on the chargepoint,
 * for a switch to `minPv` without an explicit current.
 */
export function editTemplate(base: JsonObject, edit: TemplateEdit, rememberedMinPv?: number): EditedTemplate {
  checkEdit(edit);
  if (typeof base.id !== 'number' && typeof base.id !== 'string') {
    throw new ConflictError('The chargepoint charge template has no id: openWB before 2.1.8 cannot be controlled through the gateway');
  }
  const editor = new Editor(structuredClone(base));
  const currentMin = valueAt(base, ['chargemode', 'pv_charging', 'min_current']);
  const previousMin = typeof currentMin === 'number' && currentMin > 0 ? currentMin : undefined;
  const instant = edit.instantCharging;
  if (instant) {
    editor.set(['chargemode', 'instant_charging', 'current'], instant.current);
    editor.set(['chargemode', 'instant_charging', 'phases_to_use'], instant.phases);
    editor.limit('instant_charging', instant.limit);
  }
  const pv = edit.pvCharging;
  if (pv) {
    editor.set(['chargemode', 'pv_charging', 'min_current'], pv.minCurrent);
    editor.set(['chargemode', 'pv_charging', 'min_soc'], pv.minSoc);
    editor.set(['chargemode', 'pv_charging', 'min_soc_current'], pv.minSocCurrent);
    editor.set(['chargemode', 'pv_charging', 'phases_to_use'], pv.phases);
    editor.set(['chargemode', 'pv_charging', 'feed_in_limit'], pv.feedInLimit);
    editor.limit('pv_charging', pv.limit);
  }
  if (edit.chargeMode) {
    editor.set(['chargemode', 'selected'], OPENWB_MODES[edit.chargeMode]);
    if (edit.chargeMode === 'pv') editor.set(['chargemode', 'pv_charging', 'min_current'], 0);
    if (edit.chargeMode === 'minPv') {
      const chosen = edit.minPvCurrent ?? pv?.minCurrent ?? previousMin ?? rememberedMinPv ?? DEFAULT_MIN_PV_CURRENT;
      editor.set(['chargemode', 'pv_charging', 'min_current'], chosen);
    }
  }
  const newMin = valueAt(editor.template, ['chargemode', 'pv_charging', 'min_current']);
  const remember = typeof newMin === 'number' && newMin > 0 ? newMin : previousMin;
  return { template: editor.template, changes: dedupe(editor.changes), ...(remember !== undefined ? { minPvCurrent: remember } : {}) };
}

/** A leaf set twice (pvCharging.minCurrent, then the mode's) is confirmed by its last value only. */
function dedupe(changes: { path: string[]; value: Json }[]): { path: string[]; value: Json }[] {
  const byPath = new Map<string, { path: string[]; value: Json }>();
  for (const change of changes) {
    const key = change.path.join('/');
    byPath.delete(key);
    byPath.set(key, change);
  }
  return [...byPath.values()];
}
