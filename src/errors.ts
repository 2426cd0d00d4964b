/**
 * The errors services throw, named for what went wrong; none knows how a protocol reports it (the HTTP
 * edge maps each name to a problem type in http/problem-types.ts).
 */
export type DomainErrorName =
  | 'InvalidInputError'
  | 'NotAuthenticatedError'
  | 'ForbiddenError'
  | 'NotFoundError'
  | 'ConflictError'
  | 'TooManyAttemptsError'
  | 'UnavailableError';

export abstract class DomainError extends Error {
  abstract override readonly name: DomainErrorName;
}

/** The input breaks a rule the spec cannot express (a range, a combination, a value openWB does not know). */
export class InvalidInputError extends DomainError {
  override readonly name = 'InvalidInputError';
}

/** No valid credentials: missing, unknown, expired or revoked. */
export class NotAuthenticatedError extends DomainError {
  override readonly name = 'NotAuthenticatedError';
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
}

/** The change contradicts the current state (a duplicate name, a template changed meanwhile). */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
}

/** Too many failed attempts (logins, passwords); the caller may try again after `retryAfterSeconds`. */
export class TooManyAttemptsError extends DomainError {
  override readonly name = 'TooManyAttemptsError';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/** A dependency (database, Redis, broker, openWB) cannot serve the request now; worth retrying after `retryAfterSeconds`. */
export class UnavailableError extends DomainError {
  override readonly name = 'UnavailableError';
  constructor(
    detail: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(detail);
  }
}
