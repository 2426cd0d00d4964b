import type { HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import { ownerOf } from '../sessions/handlers.ts';
import type { ReportService } from './report-service.ts';

type ReportHandlers = Pick<HandlerTable, 'getSessionReport'>;

/** The same permissions as the sessions list: a user reports only their own sessions, a restricted caller only its chargepoints. */
export function reportHandlers(reports: ReportService): ReportHandlers {
  return {
    getSessionReport: async ({ query, principal }) => {
      const caller = requirePrincipal(principal);
      const report = await reports.pdf(query, caller.chargepoints, ownerOf(caller));
      return {
        status: 200,
        contentType: 'application/pdf',
        body: report.pdf,
        headers: {
          'Content-Disposition': `attachment; filename="${report.fileName}"`,
          'X-Report-Id': report.documentId,
          'X-Report-Sha256': report.sha256,
          'Cache-Control': 'no-store',
        },
      };
    },
  };
}
