/**
 * The PDF charging report: the sessions of a period with the filters and permissions of the sessions list,
 * assembled into rows and totals (report-data.ts) and laid out as a PDF (pdf/report-pdf.ts).
 */
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import type { ProfileRecord } from '../profiles/model.ts';
import type { ProfileRepository } from '../profiles/profile-repository.ts';
import type { SessionFilter, SessionRepository } from '../sessions/session-repository.ts';
import { visibility, type Visible } from '../sessions/session-service.ts';
import type { Tariff } from '../sessions/tariff.ts';
import { renderReportPdf } from './pdf/report-pdf.ts';
import { periodKey, resolvePeriod, type PeriodQuery } from './period.ts';
import { assembleReport, type ReportBasis, type ReportFilter } from './report-data.ts';
import { documentIdOf } from './report-document.ts';
import { ReportText, type ReportLanguage } from './report-text.ts';
import type { ReportSettings } from './settings.ts';

export interface ReportQuery extends PeriodQuery {
  chargepoint?: string;
  vehicle?: string;
  tag?: string;
  user?: string;
  basis?: 'tariff' | 'flat';
  lang?: ReportLanguage;
  signatures?: boolean;
}

export interface RenderedReport {
  pdf: Buffer;
  fileName: string;
  documentId: string;
  sha256: string;
}

/** A report holds at most this many sessions (a household charges a few hundred times a year); the PDF is built in memory. */
export const MAX_REPORT_SESSIONS = 10_000;

export interface ReportServiceDeps {
  sessions: Pick<SessionRepository, 'list' | 'userNames'>;
  profiles: Pick<ProfileRepository, 'list' | 'findByTag'>;
  tariff: Tariff;
  settings: ReportSettings;
  /** Default zone of the period (TIME_ZONE). */
  timeZone: string;
  version: string;
  now?: () => number;
}

export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /** `owner`: for non-admins, the user whose sessions alone they may export. */
  async pdf(query: ReportQuery, visible: Visible = null, owner?: string): Promise<RenderedReport> {
    const { deps } = this;
    const createdAt = (deps.now ?? Date.now)();
    const allowedChargepoints = visibility(visible, query.chargepoint);
    if (owner !== undefined && query.user !== undefined && query.user !== owner) {
      throw new ForbiddenError('user: you may export only your own sessions');
    }
    const userId = owner ?? query.user;
    const period = resolvePeriod(query, deps.timeZone, createdAt);
    const basis = this.basisOf(query.basis);
    const filter: ReportFilter = { chargepointId: query.chargepoint, vehicleId: query.vehicle, tag: query.tag, userId };
    const sessionFilter: SessionFilter = { ...filter, from: period.start.toMillis(), to: period.end.toMillis(), allowedChargepoints };
    const sessions = await deps.sessions.list(sessionFilter, { sort: 'start', descending: false, limit: MAX_REPORT_SESSIONS + 1 });
    if (sessions.length > MAX_REPORT_SESSIONS) {
      const name = query.month ? 'month' : query.quarter ? 'quarter' : query.year ? 'year' : query.from ? 'from' : 'month';
      throw new InvalidInputError(
        `${name}: the period holds more than ${MAX_REPORT_SESSIONS} sessions, the limit per report; choose a shorter one`,
      );
    }
    const profiles = await this.profilesOf(query.tag, userId, owner);
    const vehicleIds = [...new Set(profiles.flatMap((p) => (p.preset.vehicleId === undefined ? [] : [p.preset.vehicleId])))];
    const data = assembleReport({
      sessions,
      period,
      filter,
      basis,
      vehiclePlates: deps.settings.vehiclePlates,
      profileVehicleId: vehicleIds.length === 1 ? vehicleIds[0] : undefined,
    });
    const driver = userId === undefined ? null : ((await deps.sessions.userNames([userId])).get(userId) ?? null);
    const language = query.lang ?? 'de';
    const documentId = documentIdOf(createdAt, data.sha256);
    const pdf = await renderReportPdf(
      {
        data,
        operator: { name: deps.settings.operatorName, address: deps.settings.operatorAddress },
        meterNote: deps.settings.meterNote,
        driver,
        profiles: profiles.map((p) => p.name),
        documentId,
        createdAt,
        version: deps.version,
        signatures: query.signatures ?? true,
      },
      new ReportText(language, period.zone, data.currency),
    );
    const fileName = `${language === 'de' ? 'Ladenachweis' : 'charging-report'}-${periodKey(period)}.pdf`;
    return { pdf, fileName, documentId, sha256: data.sha256 };
  }

  private basisOf(requested: 'tariff' | 'flat' | undefined): ReportBasis {
    const { tariff, settings } = this.deps;
    const kind = requested ?? (settings.flatRate ? 'flat' : 'tariff');
    if (kind === 'tariff') return { kind, tariff };
    if (!settings.flatRate) throw new InvalidInputError('basis: no flat rate is configured (REPORT_FLAT_RATE_PER_KWH); use basis=tariff');
    return { kind, pricePerKwh: settings.flatRate.pricePerKwh, currency: tariff.currency, note: settings.flatRate.note };
  }

  /** The RFID profiles the report is about: the tag's, or the user's; a non-admin sees only their own. */
  private async profilesOf(tag: string | undefined, userId: string | undefined, owner: string | undefined): Promise<ProfileRecord[]> {
    const { profiles } = this.deps;
    const found =
      tag !== undefined ? [await profiles.findByTag(tag)].filter((p) => p !== undefined) : userId ? await profiles.list(userId) : [];
    return found.filter((p) => (owner === undefined || p.userId === owner) && (userId === undefined || p.userId === userId));
  }
}
