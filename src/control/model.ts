/** The vocabulary of the control capability: commands, their plans and what confirms them. */
import type { AuditActor, AuditClient } from '../audit/audit.ts';
import type { Principal } from '../auth/principal.ts';
import type { Schemas } from '../api/types.ts';
import type { EntityRef, Json } from '../live/model.ts';

export type CommandAction = Schemas['CommandAction'];
export type CommandStatus = Schemas['Command']['status'];
export type CommandVia = Schemas['Command']['via'];
export type CommandRequest = Schemas['CommandRequest'];
export type CommandTarget = Schemas['Command']['target'];
export type ApiChargeMode = Schemas['ChargeModeRequest']['mode'];
export type InstantChargingRequest = Schemas['InstantChargingRequest'];
export type PvChargingRequest = Schemas['PvChargingRequest'];
export type ChargeLimit = Schemas['ChargeLimit'];
export type Preset = Schemas['Preset'];

export interface CommandRecord {
  id: string;
  action: CommandAction;
  target: CommandTarget;
  status: CommandStatus;
  via: CommandVia;
  /** The owner: the caller's user (or the RFID profile's user); null for system keys. */
  userId: string | null;
  actor: AuditActor;
  request: CommandRequest;
  /** Published topics, without the topic prefix. */
  topics: string[];
  detail: string | null;
  createdAt: number;
  /** When the gateway stops watching for confirmation (createdAt + COMMAND_TIMEOUT_S). */
  expiresAt: number;
  completedAt: number | null;
}

/** One MQTT message for openWB; `topic` is without the topic prefix. */
export interface OutgoingMessage {
  topic: string;
  payload: string;
}

/**
 * What shows that a command took effect: a field (optionally a path inside its JSON value) of a live entity
 * equals a value. `fresh`: the field must also have been received after the publish (requests such as a SoC
 * update, whose state may already look "done").
 */
export interface Expectation {
  ref: EntityRef;
  field: string;
  path?: readonly string[];
  equals: Json;
  fresh?: boolean;
}

/** The messages of one command and what confirms them (none: openWB offers nothing to watch, the command is `sent`). */
export interface Plan {
  messages: OutgoingMessage[];
  expectations: Expectation[];
  /** Why a plan cannot be confirmed, shown as the command's detail. */
  unconfirmable?: string;
}

/** Who sends a command: an API caller, or an RFID profile acting for its user. */
export interface Issuer {
  principal: Principal;
  via: CommandVia;
  actor: AuditActor;
  client?: AuditClient;
  /** Extra audit facts (RFID: profile and tag). */
  auditDetail?: Record<string, string | number | boolean | null>;
}
