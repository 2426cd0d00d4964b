import type { Principal } from '../auth/principal.ts';
import type { EventOrigin, GatewayEvent } from '../events/gateway-events.ts';
import type { StreamNarrowing } from './narrowing.ts';

/** The chargepoint an event is about (none: the broker connection, a command on a vehicle). */
function chargepointOf(event: GatewayEvent): string | undefined {
  switch (event.type) {
    case 'session':
      return event.session.chargepointId;
    case 'command':
      return event.command.target.type === 'chargepoint' ? event.command.target.id : undefined;
    case 'rfid':
      return event.rfidEvent.chargepointId;
    case 'connection':
      return undefined;
  }
}

/** The user an event belongs to; undefined: it belongs to everyone (the broker connection). */
function ownerOf(event: GatewayEvent): string | null | undefined {
  switch (event.type) {
    case 'session':
      return event.session.user?.id ?? null;
    case 'command':
      return event.ownerId;
    case 'rfid':
      return event.rfidEvent.userId;
    case 'connection':
      return undefined;
  }
}

/**
 * Whether a connection receives an event: the principal may see it (as the REST reads decide: admins
 * everything on their chargepoints, users their own sessions, commands and scans on theirs) and the
 * connection asked for it.
 */
export function receives(principal: Principal, narrowing: StreamNarrowing, event: GatewayEvent): boolean {
  if (!narrowing.events.has(event.type)) return false;
  const chargepoint = chargepointOf(event);
  if (chargepoint !== undefined) {
    if (!principal.canAccessChargepoint(chargepoint)) return false;
    if (narrowing.chargepoints && !narrowing.chargepoints.has(chargepoint)) return false;
  }
  const owner = ownerOf(event);
  return owner === undefined || principal.role === 'admin' || (principal.userId !== null && owner === principal.userId);
}

/**
 * Whether this instance's streams pass an event on. Every event does, but another instance's broker
 * connection: an instance that ingests (`ingests`: it has read from openWB's broker) streams the values of
 * its own connection, so only its own `connection` events; one that does not follows the replica the
 * ingesting instances feed, so their `connection` events.
 */
export function streamsEvent(event: GatewayEvent, origin: EventOrigin, ingests: boolean): boolean {
  return event.type !== 'connection' || origin === 'local' || !ingests;
}
