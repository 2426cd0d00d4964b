import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../db/database.ts';

/** The one algorithm access tokens are signed with and the only one accepted. */
export const TOKEN_ALGORITHM = 'EdDSA';

interface SigningKeyRow {
  kid: string;
  public_jwk: string;
  private_jwk: string;
  created_at: number;
  retired_at: number | null;
}

interface LoadedKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  createdAt: number;
  retiredAt: number | null;
}

/** Creates a signing key and retires every older one (they keep verifying until their tokens expired). */
export async function rotateSigningKey(db: Database, now = Date.now()): Promise<string> {
  const kid = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const [publicJwk, privateJwk] = await Promise.all([exportJWK(publicKey), exportJWK(privateKey)]);
  await db.transaction(async (tx) => {
    await tx.execute('UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL', [now]);
    await tx.execute("INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at) VALUES (?, 'EdDSA', ?, ?, ?)", [
      kid,
      JSON.stringify(publicJwk),
      JSON.stringify(privateJwk),
      now,
    ]);
  });
  return kid;
}

export interface KeyringOptions {
  /** A retired key verifies for this long after retirement (the longest a token it signed can live, plus slack). */
  verifyRetiredForMs: number;
  /** How often the keys are re-read, so a rotation by the CLI or another instance is picked up. */
  reloadIntervalMs?: number;
  now?: () => number;
}

/**
 * The signing keys, persisted in the database (so tokens survive restarts and are valid on every
 * instance). The newest active key signs; an unknown `kid` triggers a (throttled) reload.
 */
export class Keyring {
  private keys = new Map<string, LoadedKey>();
  private signer: LoadedKey | undefined;
  private lastLoad = 0;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly options: KeyringOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Loads the keys, creating the first one on a fresh database, and keeps them fresh. */
  async start(): Promise<void> {
    await this.load();
    if (!this.signer) {
      await rotateSigningKey(this.db, this.now());
      await this.load();
    }
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.options.reloadIntervalMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): { kid: string; privateKey: CryptoKey } {
    if (!this.signer) throw new Error('Keyring not started');
    return this.signer;
  }

  /** The key that verifies a token with this `kid`, or undefined (unknown, or retired too long ago). */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    if (!this.keys.has(kid) && this.now() - this.lastLoad > 5_000) await this.reload();
    const key = this.keys.get(kid);
    if (!key) return undefined;
    if (key.retiredAt !== null && this.now() - key.retiredAt > this.options.verifyRetiredForMs) return undefined;
    return key.publicKey;
  }

  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.lastLoad = this.now();
    const horizon = this.now() - this.options.verifyRetiredForMs;
    const rows = await this.db.query<SigningKeyRow>(
      'SELECT kid, public_jwk, private_jwk, created_at, retired_at FROM signing_keys WHERE retired_at IS NULL OR retired_at >= ? ORDER BY created_at',
      [horizon],
    );
    const keys = new Map<string, LoadedKey>();
    for (const row of rows) {
      const known = this.keys.get(row.kid);
      const retiredAt = row.retired_at === null ? null : Number(row.retired_at);
      if (known) {
        keys.set(row.kid, { ...known, retiredAt });
        continue;
      }
      const [publicKey, privateKey] = await Promise.all([
        importJWK(JSON.parse(row.public_jwk) as JWK, TOKEN_ALGORITHM),
        importJWK(JSON.parse(row.private_jwk) as JWK, TOKEN_ALGORITHM),
      ]);
      keys.set(row.kid, {
        kid: row.kid,
        publicKey: publicKey as CryptoKey,
        privateKey: privateKey as CryptoKey,
        createdAt: Number(row.created_at),
        retiredAt,
      });
    }
    this.keys = keys;
    this.signer = [...keys.values()].filter((k) => k.retiredAt === null).at(-1) ?? this.signer;
  }
}
