import type { Schemas } from './schemas.ts';

export type StreamMessage = Schemas['StreamMessage'];
export type Command = Schemas['Command'];
type Kind = Schemas['StreamObjectKind'];

/** One live value and when the gateway received it (ms since the epoch; null: never). */
export interface Stamped {
  value: unknown;
  at: number | null;
}

export interface LiveObject {
  kind: Kind;
  id: string;
  fields: Map<string, Stamped>;
  stale: boolean;
  updatedAt: number | null;
}

export type LiveListener = (object: LiveObject, changed: readonly string[] | 'all') => void;

const parseTime = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);
export const keyOf = (kind: string, id: string): string => `${kind}:${id}`;

/**
 * The live values as the stream tells them: a snapshot on every (re)connection, then `changed` fields with the time
 * each was received, `stale` and `removed`. Views subscribe and patch only what changed.
 */
export class LiveState {
  readonly objects = new Map<string, LiveObject>();
  chargepointIds: string[] = [];
  brokerConnected = true;
  /** The latest event of each recent command: its outcome may arrive before the answer to the request that sent it. */
  readonly commands = new Map<string, Command>();
  private readonly listeners = new Set<LiveListener>();
  private readonly structureListeners = new Set<() => void>();
  private readonly commandListeners = new Set<(command: Command) => void>();
  private readonly brokerListeners = new Set<(connected: boolean) => void>();

  get(kind: Kind, id: string): LiveObject | undefined {
    return this.objects.get(keyOf(kind, id));
  }

  onChange(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A snapshot arrived or an object came or went: views rebuild. */
  onStructure(listener: () => void): () => void {
    this.structureListeners.add(listener);
    return () => this.structureListeners.delete(listener);
  }

  onCommand(listener: (command: Command) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  onBroker(listener: (connected: boolean) => void): () => void {
    this.brokerListeners.add(listener);
    return () => this.brokerListeners.delete(listener);
  }

  apply(message: StreamMessage): void {
    switch (message.type) {
      case 'snapshot':
        return this.snapshot(message);
      case 'changed': {
        const object = this.ensure(message.kind, message.id);
        const names = Object.keys(message.fields);
        for (const name of names) {
          const field = message.fields[name]!;
          object.fields.set(name, { value: field.value, at: parseTime(field.updatedAt) });
        }
        object.stale = message.stale;
        object.updatedAt = parseTime(message.updatedAt);
        for (const listener of this.listeners) listener(object, names);
        return;
      }
      case 'stale': {
        const object = this.get(message.kind, message.id);
        if (!object) return;
        object.stale = true;
        for (const listener of this.listeners) listener(object, 'all');
        return;
      }
      case 'removed':
        this.objects.delete(keyOf(message.kind, message.id));
        if (message.kind === 'chargepoint') this.chargepointIds = this.chargepointIds.filter((id) => id !== message.id);
        for (const listener of this.structureListeners) listener();
        return;
      case 'command':
        this.commands.set(message.command.id, message.command);
        if (this.commands.size > 100) this.commands.delete(this.commands.keys().next().value!);
        for (const listener of this.commandListeners) listener(message.command);
        return;
      case 'connection':
        this.brokerConnected = message.connected;
        for (const listener of this.brokerListeners) listener(message.connected);
        return;
      default:
        return;
    }
  }

  private snapshot(message: Schemas['StreamSnapshot']): void {
    this.objects.clear();
    this.chargepointIds = (message.chargepoints ?? []).map((chargepoint) => chargepoint.id);
    for (const chargepoint of message.chargepoints ?? []) this.load('chargepoint', chargepoint.id, chargepoint);
    if (message.site) for (const [part, values] of Object.entries(message.site)) this.load('site', part, values);
    for (const vehicle of message.vehicles ?? []) this.load('vehicle', vehicle.id, vehicle);
    this.brokerConnected = message.system.broker.connected;
    for (const listener of this.structureListeners) listener();
    for (const listener of this.brokerListeners) listener(this.brokerConnected);
  }

  private load(kind: Kind, id: string, body: object & { updatedAt: string | null; stale: boolean }): void {
    const object = this.ensure(kind, id);
    object.updatedAt = parseTime(body.updatedAt);
    object.stale = body.stale;
    for (const [name, value] of Object.entries(body)) {
      if (name !== 'updatedAt' && name !== 'stale' && name !== 'id') object.fields.set(name, { value, at: object.updatedAt });
    }
  }

  private ensure(kind: Kind, id: string): LiveObject {
    const key = keyOf(kind, id);
    let object = this.objects.get(key);
    if (!object) {
      object = { kind, id, fields: new Map(), stale: false, updatedAt: null };
      this.objects.set(key, object);
      if (kind === 'chargepoint' && !this.chargepointIds.includes(id)) {
        this.chargepointIds.push(id);
        for (const listener of this.structureListeners) listener();
      }
    }
    return object;
  }
}

export function numberOf(object: LiveObject | undefined, field: string): number | null {
  const value = object?.fields.get(field)?.value;
  return typeof value === 'number' ? value : null;
}
