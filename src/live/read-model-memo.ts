import type { EntityFields } from './model.ts';

interface Entry<T> {
  inputs: readonly EntityFields[];
  model: T;
  validUntil: number;
}

/**
 * Read models memoised by the identity of the fields they were built from. The live store hands out the
 * same frozen fields object until an entity changes, so an unchanged input is the same object; a model is
 * rebuilt when an input changed or when it reaches `validUntil` (the moment it turns stale). Between
 * openWB's updates every read is then a lookup. One entry per entity id, so it holds no more than the
 * entities openWB publishes. Models are shared between requests, so they are frozen (deeply); the HTTP
 * layer serialises a frozen body once (json-writers.ts).
 */
export class ReadModelMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();

  get(id: string, inputs: readonly EntityFields[], now: number, build: () => { model: T; validUntil: number }): T {
    const entry = this.entries.get(id);
    if (entry && now <= entry.validUntil && sameInputs(entry.inputs, inputs)) return entry.model;
    const built = build();
    this.entries.set(id, { inputs, model: deepFreeze(built.model), validUntil: built.validUntil });
    return built.model;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

function sameInputs(a: readonly EntityFields[], b: readonly EntityFields[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
