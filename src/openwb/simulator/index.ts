import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { primeState, runCycle } from './cycle.ts';
import { TopicPublisher } from './publisher.ts';
import { acceptScannedTag } from './rfid.ts';
import { ScenarioDriver } from './scenario.ts';
import { SetTopicHandler } from './set-handler.ts';
import type { SimulatorLogger } from './set-handler.ts';
import { createInitialState } from './state.ts';
import type { ChargepointState, SimState } from './state.ts';
import { buildTopics, chargepointTopic } from './topics.ts';

export { SCENARIO } from './scenario.ts';

export interface SimulatorOptions {
  url: string;
  username?: string;
  password?: string;
  /** Prepended to every topic, e.g. 'test-7/' gives 'test-7/openWB/...'. */
  topicPrefix?: string;
  /** Control cycle; 0 starts no timer and the caller calls tick(). */
  intervalMs?: number;
  /** Clock in ms, for the PV day curve and timestamps. */
  now?: () => number;
  logger?: SimulatorLogger;
}

const DEFAULT_INTERVAL_MS = 10_000;
const SILENT: SimulatorLogger = { info: () => undefined, warn: () => undefined };

/** An openWB 2.2.2 as seen on its public broker: two chargepoints, grid, PV, battery and three vehicles. */
export class OpenWbSimulator {
  private readonly client: MqttClient;
  private readonly state: SimState;
  private readonly publisher: TopicPublisher;
  private readonly driver = new ScenarioDriver();
  private readonly now: () => number;
  private readonly logger: SimulatorLogger;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private busy = false;

  private constructor(client: MqttClient, options: SimulatorOptions) {
    this.client = client;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? SILENT;
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    // Without a timer each tick still stands for one nominal 10 s cycle of energy.
    this.state = createInitialState(this.now(), (intervalMs > 0 ? intervalMs : DEFAULT_INTERVAL_MS) / 1000);
    primeState(this.state, this.now());
    this.publisher = new TopicPublisher(client, options.topicPrefix ?? '');
  }

  /** Connects, publishes the full retained state, subscribes to openWB/set/# and starts the cycle timer. */
  static async start(options: SimulatorOptions): Promise<OpenWbSimulator> {
    const client = await mqtt.connectAsync(options.url, {
      username: options.username,
      password: options.password,
      clientId: `openwb-sim-${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 2000,
    });
    const simulator = new OpenWbSimulator(client, options);
    await simulator.begin(options);
    return simulator;
  }

  private async begin(options: SimulatorOptions): Promise<void> {
    const setHandler = new SetTopicHandler({
      prefix: options.topicPrefix ?? '',
      context: () => ({ state: this.state, nowSec: this.now() / 1000 }),
      publisher: this.publisher,
      logger: this.logger,
    });
    this.client.on('error', (error) => this.logger.warn({ err: error }, 'simulator MQTT error'));
    // Only reconnects reach this listener; a restarted broker may have lost the retained state.
    this.client.on('connect', () => {
      this.publisher
        .publish(buildTopics(this.state), 'all')
        .catch((error: unknown) => this.logger.warn({ err: error }, 'republish after reconnect failed'));
    });
    this.client.on('message', (topic, payload) => {
      setHandler.handle(topic, payload).catch((error: unknown) => this.logger.warn({ err: error, topic }, 'set topic handling failed'));
    });
    await this.publisher.publish(buildTopics(this.state), 'all');
    await this.client.subscribeAsync(setHandler.subscription, { qos: 0 });
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.onTimer(), intervalMs);
      this.timer.unref();
    }
    this.logger.info({ url: options.url, prefix: options.topicPrefix ?? '', intervalMs }, 'openWB simulator started');
  }

  /** Advances one control cycle and resolves once its messages are written. */
  tick(): Promise<void> {
    const run = this.queue.then(() => this.cycle());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Like a reader: get/rfid (and its timestamp) now, binding in the next cycle if a vehicle is plugged in. */
  async scanTag(chargepointId: number, tag: string): Promise<void> {
    const cp = this.chargepoint(chargepointId);
    acceptScannedTag(cp, tag, this.now() / 1000);
    await this.publisher.publish(
      [
        [chargepointTopic(cp.id, 'get/rfid'), cp.scannedRfid],
        [chargepointTopic(cp.id, 'get/rfid_timestamp'), cp.rfidTimestamp],
      ],
      'all',
    );
  }

  /** Forces the plug state; it is read (and published) in the next cycle, and the scenario leaves this chargepoint alone from now on. */
  async plug(chargepointId: number, plugged: boolean): Promise<void> {
    const cp = this.chargepoint(chargepointId);
    this.driver.release(cp.id);
    cp.plugged = plugged;
  }

  /** Stops the timer and disconnects; the retained state stays on the broker. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.queue;
    await this.client.endAsync();
  }

  private onTimer(): void {
    if (this.busy) return;
    this.busy = true;
    this.tick()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'simulator cycle failed'))
      .finally(() => (this.busy = false));
  }

  private async cycle(): Promise<void> {
    runCycle(this.state, this.now(), this.driver);
    await this.publisher.publish(buildTopics(this.state));
  }

  private chargepoint(id: number): ChargepointState {
    const cp = this.state.chargepoints.get(id);
    if (cp === undefined) throw new Error(`unknown chargepoint ${id}`);
    return cp;
  }
}
