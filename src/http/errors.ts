/**
 * Named domain errors. Services throw these; one middleware (problem.ts) renders them as
 * application/problem+json with a stable `type`.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class BadRequestError extends DomainError {
  constructor(detail: string) {
    super(400, 'bad-request', 'Bad Request', detail);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(
    detail = 'Missing or invalid credentials: send an API key in the x-api-key header or an access token as Authorization: Bearer',
  ) {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFoundError extends DomainError {
  constructor(detail: string) {
    super(404, 'not-found', 'Not Found', detail);
  }
}

export class MethodNotAllowedError extends DomainError {
  constructor(readonly allowed: readonly string[]) {
    super(405, 'method-not-allowed', 'Method Not Allowed', `This path answers ${allowed.join(', ')} only`);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', detail);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too-many-requests', 'Too Many Requests', detail);
  }
}

export class UnavailableError extends DomainError {
  constructor(
    detail: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(503, 'unavailable', 'Service Unavailable', detail);
  }
}
