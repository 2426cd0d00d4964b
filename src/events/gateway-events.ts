/**
 * What happened, for the live stream: sessions, commands, RFID scans and the broker connection. The domain
 * emits to the `GatewayEvents` port; the gateway's bus hands each event to this instance's listeners and,
 * with Redis, to every other instance's (src/events/redis-event-bus.ts).
 */
import type { Schemas } from '../api/types.ts';

export type SessionChange = Schemas['StreamSessionChange'];

export type GatewayEvent =
  | { type: 'session'; change: SessionChange; session: Schemas['Session'] }
  /** `ownerId`: the user the command was run for (null: a system key), who may see it besides admins. */
  | { type: 'command'; command: Schemas['Command']; ownerId: string | null }
  | { type: 'rfid'; rfidEvent: Schemas['RfidEvent'] }
  | { type: 'connection'; connected: boolean; at: string };

export type EventType = GatewayEvent['type'];
export const EVENT_TYPES: readonly EventType[] = ['session', 'command', 'rfid', 'connection'];

/** The port the domain emits to; never throws, never waits. */
export interface GatewayEvents {
  publish(event: GatewayEvent): void;
}

/** `local`: emitted by this instance; `remote`: by another instance, through Redis. */
export type EventOrigin = 'local' | 'remote';
export type EventListener = (event: GatewayEvent, origin: EventOrigin) => void;

export interface EventBus extends GatewayEvents {
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /**
   * Called once the bus hears the other instances again after it lost them (its Redis subscriber
   * reconnected and subscribed): their events in between were missed and are not replayed. Returns the
   * unsubscribe function.
   */
  onResubscribed(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Hands events to the listeners of this instance; a failing listener does not stop the others. */
export class LocalListeners {
  private readonly listeners = new Set<EventListener>();

  add(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: GatewayEvent, origin: EventOrigin, onError: (error: Error) => void): void {
    for (const listener of this.listeners) {
      try {
        listener(event, origin);
      } catch (error) {
        onError(error as Error);
      }
    }
  }
}

/** One process, no Redis: events reach this instance's listeners only. */
export function localEventBus(onError: (error: Error) => void = () => undefined): EventBus {
  const listeners = new LocalListeners();
  return {
    publish: (event) => listeners.emit(event, 'local', onError),
    subscribe: (listener) => listeners.add(listener),
    // One process: nothing to lose.
    onResubscribed: () => () => undefined,
    async close() {},
  };
}
