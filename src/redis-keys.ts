import type { EntityKind } from './live/model.ts';

/** Every Redis key name the gateway uses, in one place. */
export function redisKeys(prefix: string) {
  return {
    /** Hash: field name → JSON `[value, receivedAtMs]`. */
    entity: (kind: EntityKind, id: string) => `${prefix}live:${kind}:${id}`,
    /** Set of the ids of one entity kind ever seen. */
    index: (kind: EntityKind) => `${prefix}live:index:${kind}`,
    /** Pub/sub channel: every batch written to the live store, as JSON `FieldUpdate[]` (feeds the replicas). */
    liveChanges: `${prefix}live:changes`,
    /** String: token of the gateway instance that records statistics (SET NX PX, renewed every tick). */
    recorderLock: `${prefix}recorder:lock`,
    /** Pub/sub channel: revoked keys, changed users, ended sessions, rotated signing keys (src/auth/invalidation.ts). */
    authInvalidation: `${prefix}auth:invalidate`,
    /** String: token of the instance doing a read-modify-write on one control target (SET NX PX), e.g. `chargepoint:3`. */
    controlLock: (target: string) => `${prefix}control:lock:${target}`,
    /** String: JSON `{ commandId, template }` published to a chargepoint and not yet confirmed (PX = command timeout). */
    controlPendingTemplate: (chargepointId: string) => `${prefix}control:pending:${chargepointId}`,
    /** String: JSON `{ reference, expiresAt }` of an unused stream ticket, under the ticket's SHA-256 (PX = ticket lifetime, GETDEL on use). */
    streamTicket: (ticketHash: string) => `${prefix}stream:ticket:${ticketHash}`,
    /** Pub/sub channel: session, command, RFID and broker events for every instance's live stream (src/events/), as JSON `{ origin, event }`. */
    gatewayEvents: `${prefix}events`,
    /** Prefix of one rate limiter's counters (rate-limiter-flexible appends `:<key>`). */
    rateLimit: (name: string) => `${prefix}rl:${name}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
