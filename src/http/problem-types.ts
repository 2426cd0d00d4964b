import type { DomainErrorName } from '../errors.ts';

/** One kind of problem+json answer (RFC 9457): its stable `type`, its `title` and the status it goes with. */
export interface ProblemType {
  type: string;
  title: string;
  status: number;
}

/** Every problem type the API answers with. */
export const PROBLEMS = {
  badRequest: { type: '/problems/bad-request', title: 'Bad Request', status: 400 },
  validation: { type: '/problems/validation', title: 'Bad Request', status: 400 },
  unauthorized: { type: '/problems/unauthorized', title: 'Unauthorized', status: 401 },
  forbidden: { type: '/problems/forbidden', title: 'Forbidden', status: 403 },
  notFound: { type: '/problems/not-found', title: 'Not Found', status: 404 },
  methodNotAllowed: { type: '/problems/method-not-allowed', title: 'Method Not Allowed', status: 405 },
  requestTimeout: { type: '/problems/request-timeout', title: 'Request Timeout', status: 408 },
  conflict: { type: '/problems/conflict', title: 'Conflict', status: 409 },
  payloadTooLarge: { type: '/problems/payload-too-large', title: 'Payload Too Large', status: 413 },
  unsupportedMediaType: { type: '/problems/unsupported-media-type', title: 'Unsupported Media Type', status: 415 },
  tooManyRequests: { type: '/problems/too-many-requests', title: 'Too Many Requests', status: 429 },
  requestHeaderFieldsTooLarge: { type: '/problems/request-header-fields-too-large', title: 'Request Header Fields Too Large', status: 431 },
  internal: { type: '/problems/internal', title: 'Internal Server Error', status: 500 },
  unavailable: { type: '/problems/unavailable', title: 'Service Unavailable', status: 503 },
} as const satisfies Record<string, ProblemType>;

/** The problem each domain error is answered with. */
export const PROBLEM_OF_ERROR: Record<DomainErrorName, ProblemType> = {
  InvalidInputError: PROBLEMS.badRequest,
  NotAuthenticatedError: PROBLEMS.unauthorized,
  ForbiddenError: PROBLEMS.forbidden,
  NotFoundError: PROBLEMS.notFound,
  ConflictError: PROBLEMS.conflict,
  TooManyAttemptsError: PROBLEMS.tooManyRequests,
  UnavailableError: PROBLEMS.unavailable,
};

/** The client errors that libraries (body parser, request validation) report by status alone. */
export const PROBLEM_OF_CLIENT_STATUS: ReadonlyMap<number, ProblemType> = new Map(
  [
    PROBLEMS.badRequest,
    PROBLEMS.unauthorized,
    PROBLEMS.forbidden,
    PROBLEMS.notFound,
    PROBLEMS.methodNotAllowed,
    PROBLEMS.payloadTooLarge,
    PROBLEMS.unsupportedMediaType,
  ].map((problem) => [problem.status, problem]),
);
