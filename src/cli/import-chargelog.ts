import { loadConfig } from '../config.ts';
import { fetchChargeLog } from '../sessions/chargelog-client.ts';
import { importSessions } from '../sessions/chargelog-import.ts';
import { sessionsFromChargeLog } from '../sessions/chargelog.ts';
import { withDatabase } from './context.ts';

function whole(value: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new Error(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(value);
}

/** `import chargelog --year Y --month M`: backfills sessions from openWB 2.x's own charge log. */
export async function importChargeLogCommand(options: { year: string; month: string; timeout: string }): Promise<void> {
  const year = whole(options.year, 'year', 2000, 2100);
  const month = whole(options.month, 'month', 1, 12);
  const timeoutMs = whole(options.timeout, 'timeout', 1, 300) * 1000;
  const config = loadConfig();
  if (!config.mqtt) throw new Error('import chargelog needs OPENWB_MQTT_URL: the demo simulator keeps no charge log');
  const entries = await fetchChargeLog({ ...config.mqtt, topicPrefix: config.openwb.topicPrefix, year, month, timeoutMs });
  const parsed = sessionsFromChargeLog(entries, config.timeZone);
  const result = await withDatabase((db) => importSessions(db, parsed.sessions));
  console.log(
    `Charge log ${year}-${String(month).padStart(2, '0')}: ${entries.length} entries → ${parsed.sessions.length} sessions ` +
      `(${parsed.joined} entries joined at a charge-mode switch, ${parsed.invalid} unreadable); ` +
      `imported ${result.imported}, already known ${result.known}.`,
  );
}
