import type { Problem } from './types.ts';

/**
 * An answer of the gateway outside 2xx, carrying its RFC 9457 problem+json fields and the response.
 * `P` is the error type the spec declares for the call (see `unwrap`).
 */
export class GatewayProblem<P extends Problem = Problem> extends Error {
  override readonly name = 'GatewayProblem';
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string | undefined;
  readonly problem: P;
  readonly response: Response;

  constructor(problem: P, response: Response) {
    super(problem.detail ? `${problem.status} ${problem.title}: ${problem.detail}` : `${problem.status} ${problem.title}`);
    this.problem = problem;
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.response = response;
  }
}

/** The problem of a response whose body is not problem+json (a proxy's HTML page, an empty body): built from the status. */
export function problemOf(error: unknown, response: Response): Problem {
  if (isProblem(error)) return error;
  return { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status };
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const { type, title, status } = value as Record<string, unknown>;
  return typeof type === 'string' && typeof title === 'string' && typeof status === 'number';
}

/** An openapi-fetch result: data of a 2xx, or the error body the spec declares for the call. */
export type Result = { data?: unknown; error?: unknown; response: Response };
export type DataOf<R> = R extends { data: infer D; error?: never } ? D : never;
export type ErrorOf<R> = R extends { error: infer E; data?: never } ? E : never;

/**
 * The data of an openapi-fetch result, or a thrown `GatewayProblem` typed with the call's error type from the spec:
 * `const list = unwrap(await gw.GET('/api/v1/chargepoints'))`.
 */
export function unwrap<R extends Result>(result: R): DataOf<R> {
  if (result.error === undefined && result.response.ok) return result.data as DataOf<R>;
  throw new GatewayProblem(problemOf(result.error, result.response) as Extract<ErrorOf<R>, Problem>, result.response);
}
