import type { EntityKind } from './model.ts';

/** Every Redis key name the gateway uses, in one place. */
export function redisKeys(prefix: string) {
  return {
    /** Hash: field name → JSON `[value, receivedAtMs]`. */
    entity: (kind: EntityKind, id: string) => `${prefix}live:${kind}:${id}`,
    /** Set of the ids of one entity kind ever seen. */
    index: (kind: EntityKind) => `${prefix}live:index:${kind}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
