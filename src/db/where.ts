import type { SqlParam } from './database.ts';

/** Collects the conditions of a parameterised WHERE clause; a filter whose value is undefined is left out. */
export class Conditions {
  readonly clauses: string[] = [];
  readonly params: SqlParam[] = [];

  /** `clause` holds exactly one `?`, bound to `value`. */
  add(clause: string, value: SqlParam | undefined): this {
    if (value !== undefined) {
      this.clauses.push(clause);
      this.params.push(value);
    }
    return this;
  }

  /** A clause with its own placeholders (e.g. `IN (?, ?)`), bound to `params` in order. */
  addRaw(clause: string, params: readonly SqlParam[] = []): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  /** ` WHERE a AND b`, or the empty string without conditions. */
  toSql(): string {
    return this.clauses.length ? ` WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
