import type { Principal } from '../auth/principal.ts';
import type { HandlerTable } from '../http/operation-types.ts';
import { requirePrincipal } from '../http/security.ts';
import type { HistoryExports } from './history-export.ts';
import type { Download, SessionExports } from './session-export.ts';

type ExportHandlers = Pick<HandlerTable, 'exportSessionsCsv' | 'exportSessionsXlsx' | 'exportHistoryCsv'>;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' as const;

/** As for listSessions: non-admins export only the sessions attributed to them. */
const ownerOf = (principal: Principal): string | undefined => (principal.role === 'admin' ? undefined : (principal.userId ?? '-'));

const attachment = (download: Download) => ({
  'Content-Disposition': `attachment; filename="${download.filename}"`,
  'Cache-Control': 'no-store',
});

/** Downloads with the permissions of the operations they export (sessions: their owner; history: chargepoints). */
export function exportHandlers(sessions: SessionExports, history: HistoryExports): ExportHandlers {
  return {
    exportSessionsCsv: async ({ query, principal }) => {
      const caller = requirePrincipal(principal);
      const download = await sessions.csv(query, caller.chargepoints, ownerOf(caller));
      return { status: 200, contentType: 'text/csv', body: download.body, headers: attachment(download) };
    },
    exportSessionsXlsx: async ({ query, principal }) => {
      const caller = requirePrincipal(principal);
      const download = await sessions.xlsx(query, caller.chargepoints, ownerOf(caller));
      return { status: 200, contentType: XLSX, body: download.body, headers: attachment(download) };
    },
    exportHistoryCsv: async ({ query, principal }) => {
      const download = await history.csv(query, requirePrincipal(principal).chargepoints);
      return { status: 200, contentType: 'text/csv', body: download.body, headers: attachment(download) };
    },
  };
}
