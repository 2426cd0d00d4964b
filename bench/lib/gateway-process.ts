/**
 * The gateway as a child process (`node --import tsx src/main.ts`), so a bench can SIGKILL it for real and
 * start it again with the same environment. Its log goes to a file.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { sleep, spawnTs, stopChild } from './common.ts';

/** What a child needs from the bench's environment; the gateway's own keys come only from `env`. */
/** The V8 options `npm start` and the Dockerfile run the gateway with: benches measure it as it runs. */
export const START_NODE_ARGS = ['--max-semi-space-size=4', '--heap-growing-percent=20'];

function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]));
}

export class GatewayProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly url: string,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
    /** Node options, e.g. `--max-semi-space-size=4` as `npm start` runs it, or `--cpu-prof`. */
    private readonly nodeArgs: string[] = [],
  ) {}

  /** The running gateway's process id (undefined before start). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and resolves once /health/live answers (30 s at most). */
  async start(): Promise<void> {
    const child = spawnTs('src/main.ts', { env: { ...baseEnv(), ...this.env }, nodeArgs: this.nodeArgs, stdout: 'pipe', stderr: 'pipe' });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.child = child;
    for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
      if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode} during start; log: ${this.logFile}`);
      const live = await fetch(`${this.url}/health/live`).then(
        (res) => res.ok,
        () => false,
      );
      if (live) return;
      if (Date.now() > deadline) throw new Error(`the gateway did not answer /health/live within 30 s; log: ${this.logFile}`);
    }
  }

  /** SIGKILL: no shutdown hook runs. Resolves when the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, 10_000);
  }

  /** The log's size now: a position to read warnings from later. */
  logPosition(): number {
    return statSync(this.logFile).size;
  }

  /** Warnings and errors logged since `position`, as `count × message`, most frequent first. */
  warningsSince(position: number): string[] {
    const counts = new Map<string, number>();
    for (const line of readFileSync(this.logFile).subarray(position).toString('utf8').split('\n')) {
      let entry: { level?: number; msg?: string; err?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // not pino's (a stack trace), or a line still being written
      }
      if ((entry.level ?? 0) < 40) continue;
      // Grouped by message and the error's first line, without connection ids.
      const err = typeof entry.err === 'string' ? ` (${(entry.err.split('\n')[0] ?? '').replace(/conn:-?\d+, /g, '').slice(0, 100)})` : '';
      const key = `"${entry.msg ?? '?'}"${err}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([message, n]) => `${n} × ${message}`);
  }
}

/** Creates an API key with the admin CLI (as an operator would) and returns it. */
export async function createApiKey(databaseUrl: string, scopes: string, name = 'bench-faults'): Promise<string> {
  const child = spawnTs('src/cli.ts', {
    env: { ...baseEnv(), DATABASE_URL: databaseUrl },
    args: ['keys', 'create', '--name', name, '--scopes', scopes],
    stdout: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const key = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !key.startsWith('owg_')) throw new Error(`keys create failed (exit ${code}): ${output}`);
  return key;
}
