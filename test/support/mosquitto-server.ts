import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort } from './redis-server.ts';

/** A private, throwaway Mosquitto on loopback that a test may kill and start again on the same port (broker outages). */
export class PrivateMosquitto {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'owg-mosquitto-'));
    const broker = new PrivateMosquitto(await freePort(), dir);
    writeFileSync(join(dir, 'mosquitto.conf'), `listener ${broker.port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    await broker.start();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Resolves once the broker accepts MQTT connections. */
  async start(): Promise<void> {
    this.process = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    const deadline = Date.now() + 5_000;
    for (;;) {
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
