/**
 * A small openWB 1.9 (snaptec/openWB) as its broker shows it to a client: plain-text retained state for
 * chargepoints 1 and 2, and the set-topic handling of `runs/mqttsub.py` (range checks, mirror to the state
 * topic only when the value changed, clear the set topic; a payload that does not parse is left retained)
 * plus RFID mode 2 (`SimulateRFID` enables the plugged chargepoint and publishes `lastRfId`).
 * Research doc §4. For tests and demos of the 1.9 command path.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

interface Lp {
  name: string;
  plugged: boolean;
  enabled: boolean;
  soc: number;
  current: number;
  chargeLimitation: number;
  energyToCharge: number;
  socToChargeTo: number;
  lastRfId: string;
}

type Handler = (value: number, n: number) => [topic: string, value: string][] | undefined;

const INTEGER = /^\s*-?\d+\s*$/;

export class OpenWb19Simulator {
  private chargeMode = 0;
  private readonly lps = new Map<number, Lp>();
  private readonly sent = new Map<string, string>();
  private readonly handlers: [RegExp, Handler][];

  private constructor(
    private readonly client: MqttClient,
    private readonly prefix: string,
  ) {
    const lp = (name: string, soc: number): Lp => ({
      name,
      plugged: false,
      enabled: true,
      soc,
      current: 16,
      chargeLimitation: 0,
      energyToCharge: 10,
      socToChargeTo: 80,
      lastRfId: '0',
    });
    this.lps.set(1, lp('Garage', 42));
    this.lps.set(2, lp('Carport', 63));
    const range =
      (min: number, max: number, apply: (value: number, n: number) => [string, string][]): Handler =>
      (value, n) =>
        value >= min && value <= max ? apply(value, n) : undefined;
    const at = (n: number) => this.lps.get(n) as Lp;
    this.handlers = [
      [/^openWB\/set\/ChargeMode$/, range(0, 4, (v) => ((this.chargeMode = v), [['openWB/global/ChargeMode', String(v)]]))],
      [
        /^openWB\/set\/lp\/(\d)\/ChargePointEnabled$/,
        range(0, 1, (v, n) => ((at(n).enabled = v === 1), [[`openWB/lp/${n}/ChargePointEnabled`, String(v)]])),
      ],
      [
        /^openWB\/config\/set\/sofort\/lp\/(\d)\/current$/,
        range(6, 32, (v, n) => ((at(n).current = v), [[`openWB/config/get/sofort/lp/${n}/current`, String(v)]])),
      ],
      [
        /^openWB\/config\/set\/sofort\/lp\/(\d)\/chargeLimitation$/,
        (v, n) =>
          v >= 0 && v <= (n <= 2 ? 2 : 1)
            ? ((at(n).chargeLimitation = v), [[`openWB/config/get/sofort/lp/${n}/chargeLimitation`, String(v)]])
            : undefined,
      ],
      [
        /^openWB\/config\/set\/sofort\/lp\/(\d)\/energyToCharge$/,
        range(0, 100, (v, n) => ((at(n).energyToCharge = v), [[`openWB/config/get/sofort/lp/${n}/energyToCharge`, String(v)]])),
      ],
      [
        /^openWB\/config\/set\/sofort\/lp\/([12])\/socToChargeTo$/,
        range(0, 100, (v, n) => ((at(n).socToChargeTo = v), [[`openWB/config/get/sofort/lp/${n}/socToChargeTo`, String(v)]])),
      ],
      [/^openWB\/set\/lp\/([12])\/manualSoc$/, range(0, 100, (v, n) => ((at(n).soc = v), [[`openWB/lp/${n}/%Soc`, String(v)]]))],
      [/^openWB\/set\/lp\/([12])\/ForceSoCUpdate$/, range(1, 1, () => [])],
    ];
  }

  static async start(options: { url: string; topicPrefix?: string }): Promise<OpenWb19Simulator> {
    const client = await mqtt.connectAsync(options.url, {
      clientId: `openwb19-sim-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 1000,
    });
    const simulator = new OpenWb19Simulator(client, options.topicPrefix ?? '');
    client.on('message', (topic, payload) => void simulator.onMessage(topic, payload.toString('utf8')).catch(() => undefined));
    await simulator.publish(simulator.state(), true);
    await client.subscribeAsync([`${simulator.prefix}openWB/set/#`, `${simulator.prefix}openWB/config/set/#`], { qos: 1 });
    return simulator;
  }

  /** Plugs a vehicle in or out; unplugging disables the chargepoint again (RFID mode 2). */
  async plug(n: number, plugged: boolean): Promise<void> {
    const lp = this.lps.get(n) as Lp;
    lp.plugged = plugged;
    if (!plugged) lp.enabled = false;
    await this.publish(this.state());
  }

  /** `openWB/set/system/SimulateRFID`: the daemon enables the plugged chargepoint and records the tag. */
  async scan(tag: string): Promise<void> {
    const lp = [...this.lps.entries()].find(([, candidate]) => candidate.plugged);
    if (!lp) return;
    lp[1].enabled = true;
    lp[1].lastRfId = tag;
    await this.publish([...this.state(), ['openWB/system/lastRfId', `${tag},${(Date.now() / 1000).toFixed(2)}`]]);
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
  }

  private state(): [string, string][] {
    const messages: [string, string][] = [
      ['openWB/system/Version', '1.9.304'],
      ['openWB/global/ChargeMode', String(this.chargeMode)],
      ['openWB/global/rfidConfigured', '2'],
    ];
    for (const [n, lp] of this.lps) {
      messages.push(
        [`openWB/lp/${n}/strChargePointName`, lp.name],
        [`openWB/lp/${n}/boolPlugStat`, lp.plugged ? '1' : '0'],
        [`openWB/lp/${n}/ChargePointEnabled`, lp.enabled ? '1' : '0'],
        [`openWB/lp/${n}/%Soc`, String(lp.soc)],
        [`openWB/lp/${n}/W`, '0'],
        [`openWB/lp/${n}/lastRfId`, lp.lastRfId],
        [`openWB/config/get/sofort/lp/${n}/current`, String(lp.current)],
        [`openWB/config/get/sofort/lp/${n}/chargeLimitation`, String(lp.chargeLimitation)],
        [`openWB/config/get/sofort/lp/${n}/energyToCharge`, String(lp.energyToCharge)],
        [`openWB/config/get/sofort/lp/${n}/socToChargeTo`, String(lp.socToChargeTo)],
      );
    }
    messages.push(['openWB/system/Timestamp', String(Math.floor(Date.now() / 1000))]);
    return messages;
  }

  /** Like mqttpub.py: retained, and only what changed (the heartbeat always). */
  private async publish(messages: [string, string][], all = false): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const [topic, payload] of messages) {
      if (!all && this.sent.get(topic) === payload && topic !== 'openWB/system/Timestamp') continue;
      this.sent.set(topic, payload);
      pending.push(this.client.publishAsync(this.prefix + topic, payload, { qos: 0, retain: true }));
    }
    await Promise.all(pending);
  }

  private async onMessage(fullTopic: string, payload: string): Promise<void> {
    if (payload === '' || !fullTopic.startsWith(this.prefix)) return;
    const topic = fullTopic.slice(this.prefix.length);
    if (topic === 'openWB/set/system/SimulateRFID') {
      if (/^[0-9a-zA-Z ]+$/.test(payload)) await this.scan(payload);
    } else {
      const match = this.handlers.map(([pattern, handle]) => [pattern.exec(topic), handle] as const).find(([m]) => m !== null);
      if (!match) return;
      // int('16.0') raises in mqttsub.py, and then the set topic is not cleared.
      if (!INTEGER.test(payload)) return;
      const n = Number(match[0]?.[1] ?? 0);
      if (n !== 0 && !this.lps.has(n)) return;
      const changes = match[1](Number(payload), n);
      if (changes) await this.publish(changes);
    }
    await this.client.publishAsync(fullTopic, '', { qos: 1, retain: true });
  }
}
