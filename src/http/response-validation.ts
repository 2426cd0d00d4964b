import { createRequire } from 'node:module';
import type { Request, RequestHandler } from 'express';
import type * as OpenApiValidator from 'express-openapi-validator';
import type { Logger } from 'pino';

/**
 * express-openapi-validator's response validation (always in tests and CI; VALIDATE_RESPONSES in production).
 * Its middleware matches the operation itself; requests stay the dispatcher's, so it validates nothing of
 * them and leaves unknown routes to it. A response that breaks the contract is a bug in the gateway: it is
 * logged and fails loudly (500). The package (and everything it pulls in) is loaded only when responses
 * are validated, so a production gateway does not carry it.
 */
export function responseValidation(document: object, logger: Logger): RequestHandler[] {
  const { middleware } = createRequire(import.meta.url)('express-openapi-validator') as typeof OpenApiValidator;
  return middleware({
    apiSpec: structuredClone(document) as never,
    validateRequests: false,
    validateResponses: {
      onError: (error: Error, body: unknown, req: Request) => {
        logger.error({ err: error.message, path: req.path, body }, 'response does not match openapi.yaml');
        throw Object.assign(new Error(`Response does not match openapi.yaml: ${error.message}`), { status: 500 });
      },
    },
    validateSecurity: false,
    ignoreUndocumented: true,
  }) as unknown as RequestHandler[];
}
