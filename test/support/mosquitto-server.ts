import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { freePort } from './redis-server.ts';

export interface PrivateMosquittoOptions {
  /** More mosquitto.conf lines, e.g. queue limits. */
  settings?: readonly string[];
  /** Keep the broker's error, warning and notice lines in `logLines` (e.g. "Outgoing messages are being dropped"). */
  captureLog?: boolean;
}

/**
 * A private, throwaway Mosquitto on loopback that a test or bench may kill and start again on the same port
 * (broker outages), without persistence: a restart loses every retained message, as a crashed broker would.
 */
export class PrivateMosquitto {
  private process: ChildProcess | undefined;
  readonly logLines: string[] = [];

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly captureLog: boolean,
  ) {}

  static async start(options: PrivateMosquittoOptions = {}): Promise<PrivateMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'owg-mosquitto-'));
    const broker = new PrivateMosquitto(await freePort(), dir, options.captureLog ?? false);
    const logging = broker.captureLog ? ['log_dest stdout', 'log_type error', 'log_type warning', 'log_type notice'] : ['log_dest none'];
    const settings = [
      `listener ${broker.port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      ...logging,
      ...(options.settings ?? []),
    ];
    writeFileSync(join(dir, 'mosquitto.conf'), `${settings.join('\n')}\n`);
    await broker.start();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Resolves once the broker accepts MQTT connections. */
  async start(): Promise<void> {
    const child = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], {
      stdio: ['ignore', this.captureLog ? 'pipe' : 'ignore', 'ignore'],
    });
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.logLines.push(line));
    this.process = child;
    const deadline = Date.now() + 5_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited at start (code ${child.exitCode})`);
      try {
        const probe = await mqtt.connectAsync(this.url, { reconnectPeriod: 0, connectTimeout: 1_000 });
        await probe.endAsync();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /** SIGKILL: the broker vanishes with every connection and retained message. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
