/**
 * Asks openWB 2.x for a month of its charge log over MQTT: the `getChargeLog` command on
 * `openWB/set/command/<clientId>/todo`, answered (not retained) on `openWB/log/<clientId>/data`
 * (as openWB 2.x answers it). The month is a two-digit string, the filter objects must be present with
 * empty lists (= no filter), and `prio` is left out because openWB compares it by identity.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

export interface ChargeLogRequest {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
  tlsInsecure?: boolean;
  topicPrefix: string;
  year: number;
  month: number;
  timeoutMs?: number;
}

export function chargeLogCommand(year: number, month: number) {
  return {
    command: 'getChargeLog',
    data: {
      year: String(year),
      month: String(month).padStart(2, '0'),
      filter: { chargepoint: { id: [] }, vehicle: { id: [], tag: [], chargemode: [] } },
    },
  };
}

/** The `entries` of openWB's answer. */
export async function fetchChargeLog(request: ChargeLogRequest): Promise<unknown[]> {
  const clientId = `owg-import-${randomBytes(4).toString('hex')}`;
  const client = await mqtt.connectAsync(request.url, {
    clientId,
    username: request.username,
    password: request.password,
    ca: request.caFile ? readFileSync(request.caFile) : undefined,
    rejectUnauthorized: !request.tlsInsecure,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  const timeoutMs = request.timeoutMs ?? 15_000;
  const answerTopic = `${request.topicPrefix}openWB/log/${clientId}/data`;
  try {
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `openWB did not answer getChargeLog within ${timeoutMs / 1000} s (is it openWB 2.x, and may this user send commands?)`,
            ),
          ),
        timeoutMs,
      );
      client.on('message', (topic, payload) => {
        if (topic !== answerTopic) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(payload.toString('utf8')));
        } catch {
          reject(new Error('openWB answered getChargeLog with something that is not JSON'));
        }
      });
    });
    await client.subscribeAsync(answerTopic, { qos: 1 });
    await client.publishAsync(
      `${request.topicPrefix}openWB/set/command/${clientId}/todo`,
      JSON.stringify(chargeLogCommand(request.year, request.month)),
      { qos: 1 },
    );
    const body = await answer;
    const entries = (body as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries)) throw new Error('openWB answered getChargeLog without an entries list');
    return entries;
  } finally {
    await client.endAsync();
  }
}
