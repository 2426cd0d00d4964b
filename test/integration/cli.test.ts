import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNode } from '../support/process.ts';
import { createMariaDbDatabase, type TestDatabase } from '../support/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'owg-cli-'));
let mariadb: TestDatabase | undefined;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await mariadb?.drop();
});

describe.each([
  ['SQLite', async () => `sqlite:${join(dir, 'cli.db')}`],
  ['MariaDB', async () => (mariadb ??= await createMariaDbDatabase('cli')).url],
])('the admin CLI on %s', (_name, databaseUrl) => {
  const cli = async (...args: string[]) => runNode('src/cli.ts', args, { DATABASE_URL: await databaseUrl() });

  it('migrates, then reports the database up to date', async () => {
    const first = await cli('db', 'migrate');
    expect(first.code).toBe(0);
    const second = await cli('db', 'migrate');
    expect(second.stdout).toContain('The database is up to date.');
  });

  it('creates a key printed alone on the last line, lists it without the secret, and revokes it', async () => {
    const created = await cli('keys', 'create', '--name', 'phone', '--scopes', 'read,control', '--expires', '30d');
    expect(created.code).toBe(0);
    const lines = created.stdout.trim().split('\n');
    const key = lines.at(-1) as string;
    expect(key).toMatch(/^owg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const prefix = key.split('_').slice(0, 2).join('_');

    const listed = await cli('keys', 'list', '--json');
    const keys = JSON.parse(listed.stdout) as {
      prefix: string;
      name: string;
      scopes: string[];
      createdAt: string;
      expiresAt: string;
      revokedAt: string | null;
    }[];
    const entry = keys.find((k) => k.prefix === prefix);
    expect(entry).toMatchObject({ name: 'phone', scopes: ['read', 'control'], revokedAt: null });
    expect(entry!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(entry!.expiresAt)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli('keys', 'revoke', prefix);
    expect(revoked.code).toBe(0);
    const again = await cli('keys', 'revoke', prefix);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no active key');
  }, 60_000); // four CLI processes, each starting tsx

  it('rejects unknown scopes and bad expiries with a clear message', async () => {
    const badScope = await cli('keys', 'create', '--name', 'x', '--scopes', 'read,root');
    expect(badScope.code).not.toBe(0);
    expect(badScope.stderr).toContain('unknown: root');
    const badExpiry = await cli('keys', 'create', '--name', 'x', '--scopes', 'read', '--expires', 'tomorrow');
    expect(badExpiry.code).toBe(1);
    expect(badExpiry.stderr).toContain('--expires');
  });
});

describe('the installed bin', () => {
  it('runs the CLI from any directory', async () => {
    const result = await runNode('bin/openwb-gateway.js', ['--version'], {});
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('the server entry point', () => {
  it('refuses to start with invalid configuration, listing every problem', async () => {
    const result = await runNode('src/main.ts', [], { PORT: 'x', OPENWB_GENERATION: '3' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('OPENWB_GENERATION');
  });
});
