/**
 * The message stream of bench/ingest.ts, shared by the publisher and the checker: message i goes to one of
 * `2 × chargepoints` openWB 2.x topics in turn and carries a value that grows with i, so the last message of
 * each topic is known and distinct from every earlier one.
 */
export const CHARGEPOINTS = 100;
export const TOPICS = CHARGEPOINTS * 2;

export interface StreamMessage {
  /** Topic without the bench's prefix. */
  topic: string;
  payload: string;
  chargepoint: string;
  field: 'power' | 'energyImported';
  value: number;
}

export function message(i: number): StreamMessage {
  const t = i % TOPICS;
  const chargepoint = String(Math.floor(t / 2) + 1);
  if (t % 2 === 0) {
    const payload = (i / 10).toFixed(1);
    return { topic: `openWB/chargepoint/${chargepoint}/get/power`, payload, chargepoint, field: 'power', value: Number(payload) };
  }
  const payload = (1_000_000 + i / 100).toFixed(2);
  return { topic: `openWB/chargepoint/${chargepoint}/get/imported`, payload, chargepoint, field: 'energyImported', value: Number(payload) };
}

/** The last message of each topic in a stream of n messages. */
export function lastMessages(n: number): StreamMessage[] {
  const last: StreamMessage[] = [];
  for (let i = Math.max(0, n - TOPICS); i < n; i++) last.push(message(i));
  return last;
}
