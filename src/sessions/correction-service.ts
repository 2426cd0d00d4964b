/**
 * Corrections of sessions: a user names another vehicle for their own session and/or adds a note; an admin
 * may correct any. The recorded values stay beside the correction, and each change is audited with the
 * values before and after.
 */
import { actorOf, type AuditClient, type AuditDetail } from '../audit/audit.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Principal } from '../auth/principal.ts';
import { NotFoundError } from '../errors.ts';
import type { Schemas } from '../api/types.ts';
import { toDto, type Corrector, type Session, type SessionCorrection } from './model.ts';
import type { SessionRepository } from './session-repository.ts';

export type CorrectionUpdate = Schemas['SessionCorrectionUpdate'];

export interface CorrectionDeps {
  repository: SessionRepository;
  audit: Pick<AuditService, 'record'>;
  /** The vehicle's name as openWB publishes it, or null when unknown (a correction never waits on it). */
  vehicleName: (vehicleId: string) => Promise<string | null>;
  now?: () => number;
}

/** Non-admins correct only sessions attributed to them (as they see only those). */
const mayCorrect = (principal: Principal, session: Session) =>
  principal.canAccessChargepoint(session.chargepointId) && (principal.role === 'admin' || session.userId === principal.userId);

export class SessionCorrections {
  constructor(private readonly deps: CorrectionDeps) {}

  async correct(principal: Principal, id: string, update: CorrectionUpdate, client?: AuditClient): Promise<Schemas['Session']> {
    const session = await this.deps.repository.get(id);
    // Another user's or chargepoint's session is answered like a missing one, as getSession does.
    if (!session || !mayCorrect(principal, session)) throw new NotFoundError(`There is no charging session ${id}`);
    const before = session.correction ?? null;
    const vehicleId = update.vehicleId === undefined ? (before?.vehicle?.id ?? null) : update.vehicleId;
    const note = update.note === undefined ? (before?.note ?? null) : update.note;
    const vehicle =
      vehicleId === null
        ? null
        : { id: vehicleId, name: vehicleId === before?.vehicle?.id ? before.vehicle.name : await this.vehicleName(vehicleId) };
    const actor = actorOf(principal);
    const by: Corrector = { type: actor.type === 'apiKey' ? 'apiKey' : 'user', id: actor.id ?? principal.id, name: actor.name };
    const after: SessionCorrection | null =
      vehicle === null && note === null ? null : { vehicle, note, at: (this.deps.now ?? Date.now)(), by };
    if (!(await this.deps.repository.correct(id, after))) throw new NotFoundError(`There is no charging session ${id}`);
    await this.deps.audit.record({
      action: 'session.correct',
      actor,
      target: { type: 'session', id },
      client,
      detail: auditDetail(session, before, after),
    });
    const stored = { ...session, correction: after };
    return toDto(stored, await this.deps.repository.userNames(session.userId === null ? [] : [session.userId]));
  }

  private async vehicleName(vehicleId: string): Promise<string | null> {
    try {
      return await this.deps.vehicleName(vehicleId);
    } catch {
      return null;
    }
  }
}

function auditDetail(session: Session, before: SessionCorrection | null, after: SessionCorrection | null): AuditDetail {
  return {
    recordedVehicleId: session.vehicle?.id ?? null,
    vehicleIdBefore: before?.vehicle?.id ?? null,
    vehicleIdAfter: after?.vehicle?.id ?? null,
    noteBefore: before?.note ?? null,
    noteAfter: after?.note ?? null,
  };
}
