import { CLI_ACTOR } from '../audit/audit.ts';
import { generatePassword } from '../auth/password.ts';
import type { Role } from '../auth/principal.ts';
import { rotateSigningKey } from '../auth/signing-keys.ts';
import { withAuth } from './context.ts';

/** The password from stdin (one line, trailing newline dropped), for `--password-stdin`. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('--password-stdin: pipe the password in, e.g. printf %s "$PW" | openwb-gateway users add ...');
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new Error('--password-stdin: stdin was empty');
  return password;
}

const parseList = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

export const usersCommands = {
  async add(options: { name: string; role: Role; passwordStdin?: boolean; chargepoints?: string }) {
    const generated = options.passwordStdin ? undefined : generatePassword();
    const password = generated ?? (await readPassword());
    const user = await withAuth(async (auth, _db, audit) => {
      const created = await auth.users.create({
        name: options.name,
        role: options.role,
        password,
        chargepoints: parseList(options.chargepoints),
      });
      await audit.record({
        action: 'user.create',
        actor: CLI_ACTOR,
        target: { type: 'user', id: created.id },
        detail: { name: created.name, role: created.role },
      });
      return created;
    });
    console.log(
      `Created ${user.role} ${user.name} (id ${user.id})${user.chargepoints.length ? ` for chargepoints ${user.chargepoints.join(',')}` : ''}.`,
    );
    if (generated) {
      console.log('Generated password, shown only this once:');
      console.log(generated);
    }
  },

  async list(options: { json?: boolean }) {
    const users = await withAuth((auth) => auth.users.list());
    const rows = users.map((u) => ({
      id: u.id,
      name: u.name,
      role: u.role,
      chargepoints: u.chargepoints,
      disabled: u.disabledAt !== null,
      createdAt: new Date(u.createdAt).toISOString(),
    }));
    if (options.json) {
      console.log(JSON.stringify(rows, null, 2));
      return;
    }
    console.log(['id', 'name', 'role', 'chargepoints', 'disabled', 'created'].join('\t'));
    for (const u of users)
      console.log(
        [u.id, u.name, u.role, u.chargepoints.join(',') || '-', u.disabledAt === null ? 'no' : 'yes', iso(u.createdAt)].join('\t'),
      );
  },

  /** Recovery for a forgotten password: also ends every session of the user. */
  async setPassword(options: { name: string; passwordStdin?: boolean }) {
    const generated = options.passwordStdin ? undefined : generatePassword();
    const password = generated ?? (await readPassword());
    const user = await withAuth(async (auth, _db, audit) => {
      const found = await auth.users.findByName(options.name);
      if (!found) throw new Error(`no user named ${options.name}`);
      await auth.users.update(found.id, { password });
      await audit.record({
        action: 'user.update',
        actor: CLI_ACTOR,
        target: { type: 'user', id: found.id },
        detail: { password: 'changed' },
      });
      return found;
    });
    console.log(`Set a new password for ${user.name}; every session of theirs ended.`);
    if (generated) {
      console.log('Generated password, shown only this once:');
      console.log(generated);
    }
  },
};

export const tokensCommands = {
  async rotateSigningKey() {
    const kid = await withAuth(async (auth, db, audit) => {
      const created = await rotateSigningKey(db);
      await auth.invalidation.publish({ type: 'signingKeys' });
      await audit.record({ action: 'signing-key.rotate', actor: CLI_ACTOR, target: { type: 'signingKey', id: created } });
      return created;
    });
    console.log(
      `New signing key ${kid}. Older keys keep verifying the tokens they signed until those expire (ACCESS_TOKEN_TTL_S); running gateways switch within a minute.`,
    );
  },
};
