/** A private, throwaway Mosquitto on loopback that a bench may kill and start again (no persistence). */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { freePort, sleep } from './common.ts';

export class PrivateMosquitto {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly configFile: string,
  ) {}

  /** Writes its configuration into `dir` and starts it on a free port. */
  static async start(dir: string): Promise<PrivateMosquitto> {
    const port = await freePort();
    const configFile = join(dir, 'mosquitto.conf');
    writeFileSync(configFile, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', ''].join('\n'));
    const broker = new PrivateMosquitto(port, configFile);
    await broker.start();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('mosquitto', ['-c', this.configFile], { stdio: 'ignore' });
    for (const deadline = Date.now() + 5_000; !(await accepts(this.port)); await sleep(50)) {
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port} within 5 s`);
    }
  }

  /** SIGKILL: the broker vanishes with every connection and retained message. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
