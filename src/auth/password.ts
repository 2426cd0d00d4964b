import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (memory-hard, built into Node: no native dependency), stored in the PHC
 * string format `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` so the cost can be raised later: a stored hash
 * with a lower cost is re-hashed at the next successful login.
 */
export interface PasswordHasherOptions {
  /** log2 of scrypt's N; 17 (128 MiB with r = 8) is OWASP's recommendation, 15 the floor accepted here. */
  logN: number;
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number, length: number): Promise<Buffer> {
  const N = 2 ** logN;
  // maxmem must exceed 128·N·r bytes, else Node refuses (its default is 32 MiB).
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly options: PasswordHasherOptions) {
    if (!Number.isInteger(options.logN) || options.logN < 15 || options.logN > 20) throw new Error('scrypt logN must be 15..20');
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.options.logN, R, P, KEY_LENGTH);
    return `$scrypt$ln=${this.options.logN},r=${R},p=${P}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
  }

  /** False for a wrong password and for a stored value that is not a hash this class wrote. */
  async verify(password: string, stored: string): Promise<boolean> {
    const match = PHC.exec(stored);
    if (!match) return false;
    const [logN, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (logN < 10 || logN > 22 || r < 1 || r > 32 || p < 1 || p > 16) return false;
    const expected = Buffer.from(match[5] as string, 'base64');
    const actual = await derive(password, Buffer.from(match[4] as string, 'base64'), logN, r, p, expected.length);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  needsRehash(stored: string): boolean {
    const match = PHC.exec(stored);
    return !match || Number(match[1]) < this.options.logN || Number(match[2]) !== R || Number(match[3]) !== P;
  }

  /** A hash of a random password: unknown users are checked against it so they cost the same time as known ones. */
  dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(24).toString('base64'));
    return this.dummy;
  }
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password of `length` characters from an alphabet without look-alikes (about 5.8 bits each). */
export function generatePassword(length = 24): string {
  let password = '';
  for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

/** Length rules only (NIST SP 800-63B): no composition rules, every Unicode character allowed. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password.normalize('NFKC')].length;
  if (length < PASSWORD_MIN_LENGTH) return `The password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `The password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}
