import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);

/** Runs `node --import tsx <script> ...args` in the repo, returning its exit code and output. */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...minimalEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts a long-running node process and resolves once its stdout matches `ready`: a TypeScript source
 * through tsx, or with `nodeArgs` exactly those arguments (e.g. what `npm start` runs).
 */
export function startNode(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 30_000,
  nodeArgs = ['--import', 'tsx', script],
) {
  return new Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }>((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, env: { ...minimalEnv(), ...env } });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not get ready; output: ${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}; output: ${output}`));
    });
  });
}

/** The environment a fresh shell would give, without the gateway's own keys leaking in from the test run. */
function minimalEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]));
}

export function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Builds dist/ as `npm start` does and returns the node arguments of its start script (`… && node <args>`). */
export function buildForStart(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> };
  const start = /^npm run -s build && node (.+)$/.exec(pkg.scripts.start ?? '');
  if (!start) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'pipe' });
  return (start[1] as string).split(' ');
}
