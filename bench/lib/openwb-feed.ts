/**
 * The openWB 2.x side of bench/faults.ts: publishes a fixed set of values (retained, as openWB does) once per
 * interval, half an interval after each recorder boundary, so every recorder tick finds one fresh value per
 * series in EXPECTED_SERIES. Counters rise with every cycle. Poison can be injected: a payload that replaces a
 * topic's value for some cycles, or a one-off message.
 */
import mqtt, { type MqttClient } from 'mqtt';

/** The series the recorder takes from this feed at every tick (the history series ids). */
export const EXPECTED_SERIES: readonly string[] = [
  ...['1', '2'].flatMap((cp) => ['power', 'energyImported', 'energyExported'].map((f) => `chargepoint.${cp}.${f}`)),
  'grid.power',
  'grid.energyImported',
  'grid.energyExported',
  'pv.power',
  'pv.energyTotal',
  'battery.power',
  'battery.soc',
  'battery.energyImported',
  'battery.energyExported',
  'home.power',
];

/** Chargepoint 1 charges (a session is open), chargepoint 2 idles. */
export function cycleMessages(cycle: number, intervalMs: number): [string, unknown][] {
  const hours = (cycle * intervalMs) / 3_600_000;
  return [
    ['openWB/system/version', '2.2.2'],
    ['openWB/system/time', Date.now() / 1000],
    ['openWB/counter/get/hierarchy', [{ id: 0, type: 'counter', children: [{ id: 1, type: 'cp', children: [] }] }]],
    ['openWB/chargepoint/1/config', { name: 'Garage', type: 'internal_openwb', ev: 1, template: 0, connected_phases: 3, id: 1 }],
    ['openWB/chargepoint/1/get/power', 11000 + (cycle % 7)],
    ['openWB/chargepoint/1/get/imported', round2(1_250_000 + 11_000 * hours)],
    ['openWB/chargepoint/1/get/exported', 0],
    ['openWB/chargepoint/1/get/plug_state', true],
    ['openWB/chargepoint/1/get/charge_state', true],
    ['openWB/chargepoint/1/set/rfid', '04A1B2C3'],
    ['openWB/chargepoint/2/config', { name: 'Carport', type: 'internal_openwb', ev: 1, template: 0, connected_phases: 3, id: 2 }],
    ['openWB/chargepoint/2/get/power', 0],
    ['openWB/chargepoint/2/get/imported', 800_000],
    ['openWB/chargepoint/2/get/exported', 0],
    ['openWB/chargepoint/2/get/plug_state', false],
    ['openWB/chargepoint/2/get/charge_state', false],
    ['openWB/counter/0/get/power', 1500 + (cycle % 5)],
    ['openWB/counter/0/get/imported', round2(4_500_000 + 1_500 * hours)],
    ['openWB/counter/0/get/exported', 20_000],
    ['openWB/pv/get/power', -5000 - (cycle % 3)],
    ['openWB/pv/get/exported', round2(12_000_000 + 5_000 * hours)],
    ['openWB/bat/get/power', 1000],
    ['openWB/bat/get/soc', 60],
    ['openWB/bat/get/imported', round2(2_500 + 1_000 * hours)],
    ['openWB/bat/get/exported', 2_400],
    ['openWB/counter/set/home_consumption', 480 + (cycle % 4)],
  ];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export class OpenWbFeed {
  private timer: NodeJS.Timeout | undefined;
  private cycle = 0;
  /** Topic → [raw payload, cycles left]. */
  private readonly overrides = new Map<string, [string, number]>();

  private constructor(
    private readonly client: MqttClient,
    private readonly intervalMs: number,
  ) {}

  /** Connects (and reconnects every 500 ms while the broker is away; nothing is queued meanwhile). */
  static async start(url: string, intervalMs: number): Promise<OpenWbFeed> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 500, connectTimeout: 2_000, queueQoSZero: false, clean: true });
    client.on('error', () => undefined);
    const feed = new OpenWbFeed(client, intervalMs);
    feed.publishCycle();
    feed.schedule();
    return feed;
  }

  /** Publishes `payload` (raw) instead of the topic's value for the next `cycles` cycles. */
  override(topic: string, payload: string, cycles: number): void {
    this.overrides.set(topic, [payload, cycles]);
  }

  /** One message now, retained, outside the cycle. */
  publishOnce(topic: string, payload: string): void {
    if (this.client.connected) this.client.publish(topic, payload, { qos: 0, retain: true });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await Promise.race([this.client.endAsync(true), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }

  private schedule(): void {
    const now = Date.now();
    let next = now - (now % this.intervalMs) + this.intervalMs / 2;
    // A timer that fired a little early must not publish the same cycle twice.
    if (next - now < this.intervalMs / 4) next += this.intervalMs;
    this.timer = setTimeout(() => {
      this.publishCycle();
      this.schedule();
    }, next - now);
  }

  private publishCycle(): void {
    const cycle = this.cycle++;
    if (!this.client.connected) return;
    for (const [topic, value] of cycleMessages(cycle, this.intervalMs)) {
      const override = this.overrides.get(topic);
      let payload = JSON.stringify(value);
      if (override) {
        payload = override[0];
        if (--override[1] <= 0) this.overrides.delete(topic);
      }
      this.client.publish(topic, payload, { qos: 0, retain: true });
    }
  }
}
